using Docker.DotNet.Models;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Docker;
using ContainerSpec = Granary.NodeAgent.Runtime.ContainerSpec;

namespace Granary.Tests.Unit.NodeAgent.Runtime;

/// <summary>The docker driver's pure parts: spec to Engine API parameters and back, versions, references, times.</summary>
public sealed class DockerMappingTests
{
    [Theory]
    [InlineData("1.41", "1.12", "1.41")] // Docker 20.10: ours exactly
    [InlineData("1.40", "1.12", "1.40")] // an older engine: its maximum
    [InlineData("1.47", "1.24", "1.41")] // a newer engine that still accepts ours
    [InlineData("1.52", "1.44", "1.44")] // a newer engine that no longer does: its minimum
    [InlineData(null, null, "1.41")]
    public void ChooseApiVersion_PinsOursWithinWhatTheEngineAccepts(string? max, string? min, string expected)
    {
        Assert.Equal(System.Version.Parse(expected), DockerConnection.ChooseApiVersion(max, min));
    }

    [Theory]
    [InlineData("busybox", "busybox", "latest")]
    [InlineData("local/busybox:1", "local/busybox", "1")]
    [InlineData("127.0.0.1:1/nothing", "127.0.0.1:1/nothing", "latest")]
    [InlineData("127.0.0.1:1/nothing:1", "127.0.0.1:1/nothing", "1")]
    [InlineData("busybox@sha256:abc", "busybox@sha256:abc", null)]
    public void SplitReference_GivesRepositoryAndTag_NeverAnEmptyTag(string image, string repository, string? tag)
    {
        Assert.Equal((repository, tag), DockerMapping.SplitReference(image));
    }

    [Fact]
    public void ToCreateParameters_UsesHostNetworkInitNoRestart_AndMapsLimitsAndMounts()
    {
        var spec = new ContainerSpec
        {
            Name = "pod-a-c-0",
            Image = "local/busybox:1",
            Command = ["sh", "-c"],
            Args = ["echo hi"],
            Env = new Dictionary<string, string> { ["A"] = "1" },
            WorkingDir = "/tmp",
            MemoryLimitBytes = 16L << 20,
            CpuLimitMilli = 500,
            Labels = new Dictionary<string, string> { [ContainerLabels.PodUid] = "u" },
            Mounts = [new VolumeMount("/srv/a", "/a", ReadOnly: true), new VolumeMount("/srv/b", "/b", ReadOnly: false)],
            Hostname = "pod-a",
        };

        var p = DockerMapping.ToCreateParameters(spec);

        Assert.Equal(("pod-a-c-0", "local/busybox:1", "/tmp", "pod-a"), (p.Name, p.Image, p.WorkingDir, p.Hostname));
        Assert.Equal(["sh", "-c"], p.Entrypoint);
        Assert.Equal(["echo hi"], p.Cmd);
        Assert.Equal(["A=1"], p.Env);
        Assert.Equal("u", p.Labels[ContainerLabels.PodUid]);
        Assert.Equal(("host", true, RestartPolicyKind.No), (p.HostConfig.NetworkMode, p.HostConfig.Init, p.HostConfig.RestartPolicy.Name));
        Assert.Equal((16L << 20, 16L << 20, 500_000_000L), (p.HostConfig.Memory, p.HostConfig.MemorySwap, p.HostConfig.NanoCPUs));
        Assert.Equal(["/srv/a:/a:ro", "/srv/b:/b"], p.HostConfig.Binds);
    }

    [Fact]
    public void ToCreateParameters_WithoutCommandOrArgs_LeavesTheImagesOwn()
    {
        var p = DockerMapping.ToCreateParameters(new ContainerSpec { Name = "n", Image = "i" });

        Assert.Equal(((IList<string>?)null, (IList<string>?)null, 0L, 0L), (p.Entrypoint, p.Cmd, p.HostConfig.Memory, p.HostConfig.NanoCPUs));
    }

    [Fact]
    public void ToCreateParameters_Security_MapsEachFieldToTheEngines()
    {
        var spec = new ContainerSpec
        {
            Name = "n",
            Image = "i",
            Security = new ContainerSecurity
            {
                User = "1000:3000",
                Groups = [4000, 2000],
                ReadOnlyRootFilesystem = true,
                CapabilitiesAdd = ["NET_ADMIN"],
                CapabilitiesDrop = ["ALL"],
                NoNewPrivileges = true,
                Privileged = true,
                HostPid = true,
                HostIpc = true,
            },
        };

        var p = DockerMapping.ToCreateParameters(spec);

        Assert.Equal("1000:3000", p.User);
        Assert.Equal(["4000", "2000"], p.HostConfig.GroupAdd);
        Assert.True(p.HostConfig.ReadonlyRootfs);
        Assert.Equal(["NET_ADMIN"], p.HostConfig.CapAdd);
        Assert.Equal(["ALL"], p.HostConfig.CapDrop);
        Assert.Equal(["no-new-privileges"], p.HostConfig.SecurityOpt);
        Assert.True(p.HostConfig.Privileged);
        Assert.Equal(("host", "host"), (p.HostConfig.PidMode, p.HostConfig.IpcMode));
    }

    [Fact]
    public void ToCreateParameters_DefaultSecurity_LeavesTheEnginesDefaults()
    {
        var p = DockerMapping.ToCreateParameters(new ContainerSpec { Name = "n", Image = "i" });

        Assert.Null(p.User);
        Assert.Equal(((IList<string>?)null, (IList<string>?)null, (IList<string>?)null, (IList<string>?)null), (p.HostConfig.GroupAdd, p.HostConfig.CapAdd, p.HostConfig.CapDrop, p.HostConfig.SecurityOpt));
        Assert.Equal((false, false, (string?)null, (string?)null), (p.HostConfig.ReadonlyRootfs, p.HostConfig.Privileged, p.HostConfig.PidMode, p.HostConfig.IpcMode));
    }

    [Fact]
    public void ToInfo_OfAnExitedContainer_CarriesExitCodeOomAndTimes()
    {
        var inspect = new ContainerInspectResponse
        {
            ID = "abc",
            Name = "/pod-a-c-0",
            Image = "sha256:123",
            Created = new DateTime(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc),
            Config = new Config { Image = "local/busybox:1", Labels = new Dictionary<string, string> { ["k"] = "v" } },
            State = new ContainerState
            {
                Status = "exited",
                ExitCode = 137,
                OOMKilled = true,
                StartedAt = "2026-11-26T12:00:01.123456789Z",
                FinishedAt = "2026-11-26T12:00:02Z",
            },
        };

        var info = DockerMapping.ToInfo(inspect);

        Assert.Equal(("abc", "pod-a-c-0", "local/busybox:1", "sha256:123"), (info.Id, info.Name, info.Image, info.ImageId));
        Assert.Equal((ContainerRunState.Exited, (int?)137, true, (string?)null), (info.State, info.ExitCode, info.OomKilled, info.Error));
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero), info.CreatedAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 12, 0, 1, TimeSpan.Zero).AddTicks(1234567), info.StartedAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 12, 0, 2, TimeSpan.Zero), info.FinishedAt);
        Assert.Equal("v", info.Labels["k"]);
    }

    [Fact]
    public void ToInfo_OfACreatedContainer_HasNoExitCodeAndNoTimesFromTheZeroValue()
    {
        var inspect = new ContainerInspectResponse
        {
            ID = "abc",
            Name = "/n",
            Image = "sha256:123",
            Config = new Config { Image = "i" },
            State = new ContainerState { Status = "created", StartedAt = "0001-01-01T00:00:00Z", FinishedAt = "0001-01-01T00:00:00Z" },
        };

        var info = DockerMapping.ToInfo(inspect);

        Assert.Equal((ContainerRunState.Created, (int?)null, (DateTimeOffset?)null, (DateTimeOffset?)null), (info.State, info.ExitCode, info.StartedAt, info.FinishedAt));
    }

    [Theory]
    [InlineData("created", ContainerRunState.Created)]
    [InlineData("running", ContainerRunState.Running)]
    [InlineData("paused", ContainerRunState.Running)]
    [InlineData("restarting", ContainerRunState.Running)]
    [InlineData("exited", ContainerRunState.Exited)]
    [InlineData("dead", ContainerRunState.Exited)]
    [InlineData("removing", ContainerRunState.Unknown)]
    public void ToRunState_MapsEveryEngineStatus(string status, ContainerRunState expected)
    {
        Assert.Equal(expected, DockerMapping.ToRunState(status));
    }

    [Fact]
    public void ToUnixSince_IsSecondsAndNanoseconds()
    {
        Assert.Equal("1.500000000", DockerMapping.ToUnixSince(DateTimeOffset.UnixEpoch.AddSeconds(1.5)));
        Assert.Equal("1795694401.123456700", DockerMapping.ToUnixSince(new DateTimeOffset(2026, 11, 26, 12, 0, 1, TimeSpan.Zero).AddTicks(1234567)));
    }

    [Fact]
    public void ToImageRef_PulledImage_IsDockerPullableWithItsRepositoryDigest()
    {
        var image = new ImageInspectResponse
        {
            ID = "sha256:" + new string('a', 64),
            RepoDigests = ["127.0.0.1:5000/busybox@sha256:" + new string('b', 64)],
        };

        Assert.Equal("docker-pullable://127.0.0.1:5000/busybox@sha256:" + new string('b', 64), DockerMapping.ToImageRef(image));
    }

    [Fact]
    public void ToImageRef_ImportedImage_IsDockerWithItsContentId()
    {
        var image = new ImageInspectResponse { ID = "sha256:" + new string('a', 64), RepoDigests = [] };

        Assert.Equal("docker://sha256:" + new string('a', 64), DockerMapping.ToImageRef(image));
    }
}
