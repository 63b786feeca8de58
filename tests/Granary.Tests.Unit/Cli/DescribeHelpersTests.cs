using Granary.Cli.Output;
using Granary.Model;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Cli;

public class DescribeHelpersTests
{
    public static TheoryData<Probe, string> Probes => new()
    {
        { new Probe { HttpGet = new HttpGetAction { Path = "/healthz", Port = 8080 } }, "http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3" },
        { new Probe { HttpGet = new HttpGetAction { Path = "/", Port = "web", Host = "127.0.0.1", Scheme = "HTTPS" }, TimeoutSeconds = 2 }, "http-get https://127.0.0.1:web/ delay=0s timeout=2s period=10s #success=1 #failure=3" },
        { new Probe { Exec = new ExecAction { Command = ["cat", "/tmp/ready"] }, FailureThreshold = 5, SuccessThreshold = 2 }, "exec [cat /tmp/ready] delay=0s timeout=1s period=10s #success=2 #failure=5" },
        { new Probe { TcpSocket = new TcpSocketAction { Port = 5432 } }, "tcp-socket :5432 delay=0s timeout=1s period=10s #success=1 #failure=3" },
        { new Probe { PeriodSeconds = 3 }, "unknown delay=0s timeout=1s period=3s #success=1 #failure=3" },
    };

    [Theory]
    [MemberData(nameof(Probes))]
    public void Probe_IsDescribedAsKubectl(Probe probe, string expected)
    {
        Assert.Equal(expected, PodDescriber.Probe(probe));
    }

    public static TheoryData<Toleration, string> Tolerations => new()
    {
        { new Toleration { Key = "dedicated", Operator = "Equal", Value = "web", Effect = "NoSchedule" }, "dedicated=web:NoSchedule" },
        { new Toleration { Key = "gpu", Operator = "Exists" }, "gpu op=Exists" },
        { new Toleration { Operator = "Exists" }, "op=Exists" },
        { new Toleration { Key = "node.kubernetes.io/not-ready", Operator = "Exists", Effect = "NoExecute", TolerationSeconds = 300 }, "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s" },
    };

    [Theory]
    [MemberData(nameof(Tolerations))]
    public void Toleration_IsDescribedAsKubectl(Toleration toleration, string expected)
    {
        Assert.Equal(expected, PodDescriber.Toleration(toleration));
    }

    [Theory]
    [InlineData(null, null, "BestEffort")]
    [InlineData("cpu=1,memory=1Gi", null, "Guaranteed")]
    [InlineData("cpu=1,memory=1Gi", "cpu=1000m,memory=1Gi", "Guaranteed")]
    [InlineData("cpu=1,memory=1Gi", "cpu=500m", "Burstable")]
    [InlineData("cpu=1", null, "Burstable")]
    [InlineData(null, "memory=64Mi", "Burstable")]
    public void QosClass_FromRequestsAndLimits(string? limits, string? requests, string expected)
    {
        var pod = Pod("web");
        var container = pod.Spec.Containers![0] with { Resources = new ResourceRequirements { Limits = Parse(limits), Requests = Parse(requests) } };

        Assert.Equal(expected, PodDescriber.QosClass(pod with { Spec = pod.Spec with { Containers = [container] } }));
    }

    [Theory]
    [InlineData(0, true, "0")]
    [InlineData(128L << 20, true, "128Mi")]
    [InlineData(3L << 30, true, "3Gi")]
    [InlineData(1536, true, "1536")]
    [InlineData(1536L << 10, true, "1536Ki")]
    [InlineData(500_000_000, false, "500M")]
    [InlineData(1_000_000_000, false, "1G")]
    [InlineData(1234, false, "1234")]
    public void Bytes_InTheLargestExactUnit(long bytes, bool binary, string expected)
    {
        Assert.Equal(expected, PodResources.Bytes(bytes, binary));
    }

    [Fact]
    public void RequestsAndLimits_LimitWithoutRequest_RequestsTheLimit()
    {
        var pod = Pod("web", containers: 2);
        pod = pod with
        {
            Spec = pod.Spec with
            {
                Containers =
                [
                    pod.Spec.Containers![0] with { Resources = new ResourceRequirements { Limits = Resources(("cpu", "1"), ("memory", "1Gi")) } },
                    pod.Spec.Containers[1] with { Resources = new ResourceRequirements { Requests = Resources(("cpu", "250m"), ("memory", "512Mi")) } },
                ],
            },
        };

        var (requests, limits) = PodResources.RequestsAndLimits(pod);

        Assert.Equal((1250L, 1536L << 20, true), (requests.CpuMilli, requests.MemoryBytes, requests.MemoryBinary));
        Assert.Equal((1000L, 1L << 30), (limits.CpuMilli, limits.MemoryBytes));
    }

    [Fact]
    public void Time_IsGoRfc1123ZInTheOffsetOfNow()
    {
        var writer = new DescribeWriter(new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.FromHours(-5.5)));

        Assert.Equal("Fri, 01 Mar 2024 06:30:00 -0530", writer.Time(new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero)));
    }

    private static System.Collections.Immutable.ImmutableSortedDictionary<string, Quantity>? Parse(string? pairs) =>
        pairs is null ? null : Resources([.. pairs.Split(',').Select(p => (p.Split('=')[0], p.Split('=')[1]))]);
}
