using Granary.Grains.Metrics;
using Granary.Metrics;

namespace Granary.Tests.Unit.Metrics;

/// <summary>metrics-server's rate arithmetic over two samples.</summary>
public sealed class UsageRatesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static ContainerReading Container(string pod, string name, string id, ulong cpu, long memory) =>
        new("default", pod, pod + "-uid", name, id, new ResourceReading(cpu, memory));

    private static UsageSample Sample(DateTimeOffset at, ulong nodeCpu, params ContainerReading[] containers) =>
        new(at, new ResourceReading(nodeCpu, 1 << 30), [.. containers]);

    [Fact]
    public void Compute_OfTwoSamples_GivesNanocoresOverTheWindow()
    {
        var earlier = Sample(T0, 0, Container("web", "app", "c1", 1_000_000_000, 10));
        var later = Sample(T0.AddSeconds(10), 20_000_000_000, Container("web", "app", "c1", 3_000_000_000, 20));

        var usage = UsageRates.Compute("n1", earlier, later)!;

        Assert.Equal(TimeSpan.FromSeconds(10), usage.Window);
        Assert.Equal(new Usage(2_000_000_000, 1 << 30), usage.Usage);
        var pod = Assert.Single(usage.Pods);
        Assert.Equal(new ContainerUsage("app", new Usage(200_000_000, 20)), Assert.Single(pod.Containers));
    }

    [Fact]
    public void Compute_OfARestartedContainer_LeavesItsPodOut()
    {
        var earlier = Sample(T0, 0, Container("web", "app", "c1", 5_000_000_000, 10), Container("web", "side", "s1", 0, 1));
        var later = Sample(T0.AddSeconds(10), 1, Container("web", "app", "c2", 1_000_000, 20), Container("web", "side", "s1", 10, 1));

        Assert.Empty(UsageRates.Compute("n1", earlier, later)!.Pods);
    }

    [Fact]
    public void Compute_OfANewPod_LeavesItOutUntilItsSecondSample()
    {
        var earlier = Sample(T0, 0, Container("web", "app", "c1", 0, 10));
        var later = Sample(T0.AddSeconds(15), 1, Container("web", "app", "c1", 15_000_000, 10), Container("db", "pg", "d1", 1, 1));

        var usage = UsageRates.Compute("n1", earlier, later)!;

        Assert.Equal("web", Assert.Single(usage.Pods).Name);
        Assert.Equal(1_000_000, usage.Pods[0].Containers[0].Usage.CpuNanocores);
    }

    [Fact]
    public void Compute_OfSamplesOutOfOrder_IsNothing()
    {
        Assert.Null(UsageRates.Compute("n1", Sample(T0, 0), Sample(T0, 1)));
    }
}
