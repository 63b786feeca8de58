using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Volumes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.NodeAgent.Volumes;

/// <summary>The volume manager against real directories (and tmpfs: the tests run as root, as the agent does).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class VolumeManagerTests : IDisposable
{
    private static readonly ImmutableSortedDictionary<string, Quantity> Allocatable = ImmutableSortedDictionary<string, Quantity>.Empty;
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-volmgr-").FullName;
    private readonly ConfigLookup _config = new ConfigLookup().WithConfigMap("app", ("greeting", "hello")).WithSecret("db", ("password", "s3cret"));
    private readonly PodVolumeDirectories _directories;
    private readonly VolumeManager _manager;
    private readonly CountingTokens _tokens = new();

    public VolumeManagerTests()
    {
        _directories = new PodVolumeDirectories(_dir, NullLogger<PodVolumeDirectories>.Instance);
        _manager = new VolumeManager(_directories, _config, new FixedClaims(_dir), _tokens, new FakeTimeProvider(), NullLogger<VolumeManager>.Instance);
    }

    public void Dispose()
    {
        foreach (var mount in MountTable.Below(_dir))
            LibC.Unmount(mount);
        Directory.Delete(_dir, recursive: true);
    }

    private static Pod Pod(params Volume[] volumes) => new()
    {
        Metadata = new ObjectMeta { Name = "web", Namespace = "default", Uid = "uid-1" },
        Spec = new PodSpec { Volumes = [.. volumes], Containers = [new Container { Name = "main" }] },
    };

    private PodVolumes Prepare(Pod pod) => _manager.PrepareAsync(pod, "127.1.1.2", "127.0.0.1", Allocatable, CancellationToken.None).GetAwaiter().GetResult();

    [Fact]
    public void Prepare_AClaim_IsItsDirectory_ReadOnlyWhenAsked_AndStaysWhenThePodGoes()
    {
        var volumes = Prepare(Pod(
            new Volume { Name = "data", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "db" } },
            new Volume { Name = "ro", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "db", ReadOnly = true } },
            new Volume { Name = "gone", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "missing" } }));

        Assert.Equal(new PreparedVolume("data", Path.Combine(_dir, "claims", "db"), Writable: true), volumes.Ready["data"]);
        Assert.False(volumes.Ready["ro"].Writable);
        Assert.Equal("persistentvolumeclaim \"missing\" not found", Assert.Single(volumes.Failed).Message);
        _manager.CollectGone(new HashSet<string>());
        Assert.True(Directory.Exists(Path.Combine(_dir, "claims", "db")));
    }

    /// <summary>Hands out "token-1", "token-2", … for the pod's token sources, as the control plane would hand out new tokens.</summary>
    private sealed class CountingTokens : IServiceAccountTokens
    {
        public int Issued { get; private set; }

        public List<string> Forgotten { get; } = [];

        public Task<IReadOnlyDictionary<string, byte[]>> TokensAsync(Pod pod, ProjectedVolumeSource source, CancellationToken ct) =>
            Task.FromResult<IReadOnlyDictionary<string, byte[]>>((source.Sources ?? []).Select(s => s.ServiceAccountToken).OfType<ServiceAccountTokenProjection>()
                .ToDictionary(t => t.Path, _ => System.Text.Encoding.ASCII.GetBytes($"token-{++Issued}")));

        public void Forget(string podUid) => Forgotten.Add(podUid);
    }

    [Fact]
    public async Task Prepare_KubeApiAccessVolume_WritesTheTokenTheCaAndTheNamespace_AndANewTokenReplacesTheFile()
    {
        var config = new ConfigLookup().WithConfigMap("kube-root-ca.crt", ("ca.crt", "CA PEM"));
        var manager = new VolumeManager(_directories, config, new FixedClaims(_dir), _tokens, new FakeTimeProvider(), NullLogger<VolumeManager>.Instance);
        var pod = Pod(Granary.Grains.ServiceAccounts.ServiceAccountAdmission.Volume("kube-api-access-abcde"));

        var first = await manager.PrepareAsync(pod, "127.1.1.2", "127.0.0.1", Allocatable, CancellationToken.None);
        var dir = first.Ready["kube-api-access-abcde"].HostPath;
        var firstToken = File.ReadAllText(Path.Combine(dir, "token"));
        await manager.PrepareAsync(pod, "127.1.1.2", "127.0.0.1", Allocatable, CancellationToken.None);

        Assert.Empty(first.Failed);
        Assert.Equal("token-1", firstToken);
        Assert.Equal("token-2", File.ReadAllText(Path.Combine(dir, "token")));
        Assert.Equal("CA PEM", File.ReadAllText(Path.Combine(dir, "ca.crt")));
        Assert.Equal("default", File.ReadAllText(Path.Combine(dir, "namespace")));
    }

    private sealed class FixedClaims(string root) : IClaimPaths
    {
        public Task<string> ResolveClaimPathAsync(string @namespace, string claimName, CancellationToken ct) =>
            claimName == "missing"
                ? throw new Granary.NodeAgent.Storage.LocalPathVolumeException($"persistentvolumeclaim \"{claimName}\" not found", retryable: true)
                : Task.FromResult(Directory.CreateDirectory(Path.Combine(root, "claims", claimName)).FullName);
    }

    [Fact]
    public void Prepare_MakesEachVolume_InTheKubeletsLayout()
    {
        var volumes = Prepare(Pod(
            new Volume { Name = "cache", EmptyDir = new EmptyDirVolumeSource() },
            new Volume { Name = "mem", EmptyDir = new EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new Quantity("1Mi") } },
            new Volume { Name = "cfg", ConfigMap = new ConfigMapVolumeSource { Name = "app" } },
            new Volume { Name = "creds", Secret = new SecretVolumeSource { SecretName = "db" } }));

        Assert.Empty(volumes.Failed);
        var pod = _directories.PodDir("uid-1");
        Assert.Equal((pod + "/volumes/kubernetes.io~empty-dir/cache", true), (volumes.Ready["cache"].HostPath, volumes.Ready["cache"].Writable));
        Assert.Equal(("hello", false), (File.ReadAllText(volumes.Ready["cfg"].HostPath + "/greeting"), volumes.Ready["cfg"].Writable));
        Assert.Equal("s3cret", File.ReadAllText(pod + "/volumes/kubernetes.io~secret/creds/password"));
        // Memory-backed: the emptyDir and the secret are tmpfs mounts; the configMap is on disk.
        Assert.Equal([pod + "/volumes/kubernetes.io~empty-dir/mem", pod + "/volumes/kubernetes.io~secret/creds"], MountTable.Below(pod).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Prepare_AgainAfterAnUpdate_SwapsTheFiles()
    {
        var pod = Pod(new Volume { Name = "cfg", ConfigMap = new ConfigMapVolumeSource { Name = "app" } });
        var file = Prepare(pod).Ready["cfg"].HostPath + "/greeting";
        _config.WithConfigMap("app", ("greeting", "bonjour"));

        Prepare(pod);

        Assert.Equal("bonjour", File.ReadAllText(file));
    }

    [Fact]
    public void Prepare_AMissingConfigMap_FailsThatVolumeWithKubesMessage()
    {
        var volumes = Prepare(Pod(
            new Volume { Name = "cache", EmptyDir = new EmptyDirVolumeSource() },
            new Volume { Name = "cfg", ConfigMap = new ConfigMapVolumeSource { Name = "missing" } }));

        Assert.Equal("MountVolume.SetUp failed for volume \"cfg\" : configmap \"missing\" not found", Assert.Single(volumes.Failed).EventMessage);
        Assert.True(volumes.Ready.ContainsKey("cache"));
    }

    [Fact]
    public void Prepare_HostPath_ChecksItsType()
    {
        var made = Path.Combine(_dir, "made");
        var file = Path.Combine(_dir, "file");
        File.WriteAllText(file, "x");

        var volumes = Prepare(Pod(
            new Volume { Name = "made", HostPath = new HostPathVolumeSource { Path = made, Type = "DirectoryOrCreate" } },
            new Volume { Name = "notdir", HostPath = new HostPathVolumeSource { Path = file, Type = "Directory" } },
            new Volume { Name = "nosocket", HostPath = new HostPathVolumeSource { Path = file, Type = "Socket" } },
            new Volume { Name = "file", HostPath = new HostPathVolumeSource { Path = file, Type = "File" } },
            new Volume { Name = "chr", HostPath = new HostPathVolumeSource { Path = "/dev/null", Type = "CharDevice" } }));

        Assert.True(Directory.Exists(made));
        Assert.Equal(["made", "file", "chr"], volumes.Ready.Keys);
        Assert.Equal([$"hostPath type check failed: {file} is not a directory", $"hostPath type check failed: {file} is not a socket file"], volumes.Failed.Select(f => f.Message));
    }

    [Fact]
    public void Prepare_FsGroup_OwnsTheFilesAndMakesThemGroupReadable()
    {
        var pod = Pod(new Volume { Name = "cfg", ConfigMap = new ConfigMapVolumeSource { Name = "app", DefaultMode = 0b100_000_000 } });
        pod = pod with { Spec = pod.Spec with { SecurityContext = new PodSecurityContext { FsGroup = 2345 } } };

        var file = Prepare(pod).Ready["cfg"].HostPath + "/..data/greeting";

        Assert.Equal((UnixFileMode)0b100_100_000, File.GetUnixFileMode(file));
        Assert.Equal("2345", Stat("%g", file));
    }

    [Fact]
    public void CollectGone_RemovesPodsNotKept_UnmountingFirst()
    {
        Prepare(Pod(new Volume { Name = "creds", Secret = new SecretVolumeSource { SecretName = "db" } }));

        _manager.CollectGone(new HashSet<string> { "uid-1" });
        Assert.True(Directory.Exists(_directories.PodDir("uid-1")));
        _manager.CollectGone(new HashSet<string>());

        Assert.False(Directory.Exists(_directories.PodDir("uid-1")));
        Assert.Empty(MountTable.Below(_dir));
    }

    private static string Stat(string format, string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true })!;
        var output = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return output;
    }
}
