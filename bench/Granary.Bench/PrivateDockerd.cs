using System.Diagnostics;
using System.Text;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Docker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Bench;

/// <summary>
/// A dockerd of the benchmark's own: data root, exec root, pidfile and socket under one short temp folder,
/// overlay2, no bridge, no iptables, no forwarding or masquerading (containers use the host's network), and the
/// busybox image imported through the Engine API. Never the system engine or /var/run/docker.sock.
/// Disposing force-removes every container, stops dockerd with SIGTERM, unmounts what it left under its folder
/// (exec-root/netns/default) and deletes the folder.
/// </summary>
internal sealed class PrivateDockerd : IAsyncDisposable
{
    private const string DockerdPath = "/usr/sbin/dockerd";

    // A unix socket path must fit in sun_path (108 bytes with the terminating zero).
    private const int MaxSocketPath = 107;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    // With --shutdown-timeout 2 and no containers left dockerd stops in a few seconds; SIGKILL would orphan containerd and the shims.
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(60);

    private readonly TextWriter _output;
    private ChildProcess? _process;

    private PrivateDockerd(string root, TextWriter output)
    {
        Root = root;
        _output = output;
        Endpoint = new Uri("unix://" + Path.Combine(root, "d.sock"));
        Engine = new DockerRuntime(Endpoint, NullLogger.Instance);
    }

    /// <summary>The folder everything of this dockerd lives under.</summary>
    public string Root { get; }

    /// <summary>unix:///tmp/gb-XXXXXX/d.sock</summary>
    public Uri Endpoint { get; }

    /// <summary>The benchmark's own connection to the engine, through the agent's Docker driver.</summary>
    public DockerRuntime Engine { get; }

    /// <summary>"docker://20.10.24", once started.</summary>
    public string Version { get; private set; } = "";

    /// <summary>The Engine API calls this dockerd has served since it was ready, by kind.</summary>
    public EngineCalls Calls { get; } = new();

    public ChildProcess Process => _process ?? throw new InvalidOperationException("dockerd is not started");

    public static async Task<PrivateDockerd> StartAsync(TextWriter output, CancellationToken ct)
    {
        if (!File.Exists(DockerdPath))
            throw new BenchmarkException($"{DockerdPath} is missing: install docker.io (apt-get install docker.io; keep /usr/sbin/policy-rc.d so that no system dockerd starts)");
        var dockerd = new PrivateDockerd(Directory.CreateTempSubdirectory("gb-").FullName, output);
        try
        {
            await dockerd.StartProcessAsync(ct);
            return dockerd;
        }
        catch
        {
            await dockerd.DisposeAsync();
            throw;
        }
    }

    private async Task StartProcessAsync(CancellationToken ct)
    {
        var socket = Endpoint.AbsolutePath;
        if (Encoding.UTF8.GetByteCount(socket) > MaxSocketPath)
            throw new BenchmarkException($"the socket path {socket} is longer than {MaxSocketPath} bytes: set TMPDIR to a shorter folder");
        string[] arguments =
        [
            "--data-root", Path.Combine(Root, "data"),
            "--exec-root", Path.Combine(Root, "exec"),
            "--pidfile", Path.Combine(Root, "d.pid"),
            "-H", Endpoint.ToString(),
            "--storage-driver", "overlay2",
            "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-forward=false", "--ip-masq=false",
            "--shutdown-timeout", "2",
            // Every Engine API call is logged, so that the benchmark can count the agent's calls per pod.
            "--debug",
        ];
        _output.WriteLine($"starting a private dockerd: {DockerdPath} {string.Join(' ', arguments)}");
        var started = Stopwatch.GetTimestamp();
        _process = await ChildProcess.StartAsync("dockerd", DockerdPath, arguments, Root, "API listen on", StartLimit, ct);
        _process.LineWritten += Calls.Add;
        Version = await Engine.VersionAsync(ct);
        var image = await BusyboxImage.ImportBusyboxAsync(Endpoint, ct);
        _output.WriteLine($"dockerd ready in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s (pid {_process.Pid}, {Version}, API {Engine.ApiVersion}, " +
            $"overlay2, {image} imported, root {Root})");
    }

    /// <summary>Force-removes every container of this engine, a few at a time; returns how many there were.</summary>
    public async Task<int> RemoveAllContainersAsync(int concurrency, CancellationToken ct)
    {
        var containers = await Engine.ListAsync(new Dictionary<string, string>(), ct);
        await InFlight.ForEachAsync(containers.Count, concurrency, async (i, token) => await Engine.RemoveAsync(containers[i].Id, token), ct);
        return containers.Count;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                // Removed first, so that dockerd does not spend its shutdown stopping them one by one.
                try
                {
                    using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                    var removed = await RemoveAllContainersAsync(8, limit.Token);
                    if (removed > 0)
                        _output.WriteLine($"removed {removed} containers left in the private dockerd");
                }
                catch (Exception e) when (e is RuntimeException or OperationCanceledException)
                {
                    _output.WriteLine($"could not remove the containers left in the private dockerd ({e.Message}); stopping it anyway");
                }
            }
            await _process.StopAndReportAsync(_output, StopGrace);
            await _process.DisposeAsync();
        }
        Engine.Dispose();
        try
        {
            // dockerd leaves <exec-root>/netns/default mounted (and overlay mounts, if it died): nothing under Root may stay mounted.
            Granary.Tools.MountCleanup.UnmountAllUnder(Root);
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException e)
        {
            _output.WriteLine($"could not remove {Root}: {e.Message}");
        }
    }
}
