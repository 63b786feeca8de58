using Granary.Grains.Autoscaling;

namespace Granary.Tests.Unit.Autoscaling;

/// <summary>kube's own cases (pkg/controller/podautoscaler/replica_calculator_test.go), for CPU utilization and raw averages.</summary>
public sealed class ReplicaCalculatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    /// <summary>Pods started long ago and ready since then, with 1 core requested each unless told.</summary>
    private static List<PodSample> Pods(int count, long request = 1000, bool[]? ready = null, string[]? phases = null, bool[]? deleting = null, DateTimeOffset? started = null) =>
        [.. Enumerable.Range(0, count).Select(i => new PodSample
        {
            Name = $"test-pod-{i}",
            Phase = phases?[i] ?? "Running",
            Deleting = deleting?[i] ?? false,
            Ready = ready?[i] ?? true,
            ReadySince = (started ?? Now.AddHours(-1)).AddSeconds(10),
            StartTime = started ?? Now.AddHours(-1),
            Request = request,
        })];

    private static Dictionary<string, PodMetric> Levels(params long[] milli) =>
        milli.Select((m, i) => (m, i)).ToDictionary(x => $"test-pod-{x.i}", x => new PodMetric(x.m, Now.AddSeconds(-5), Window));

    [Fact]
    public void ScaleUp_AboveTarget_ProposesByTheRatio()
    {
        var proposal = ReplicaCalculator.ForUtilization(3, 30, "cpu", Pods(3), Levels(300, 500, 700), Now);

        Assert.Equal(new ReplicaProposal(5, 50, 500), proposal);
    }

    [Fact]
    public void ScaleDown_BelowTarget_ProposesByTheRatio()
    {
        var proposal = ReplicaCalculator.ForUtilization(5, 50, "cpu", Pods(5), Levels(100, 300, 500, 250, 250), Now);

        Assert.Equal(3, proposal.Replicas);
        Assert.Equal(28, proposal.Utilization);
    }

    [Fact]
    public void WithinTolerance_KeepsTheReplicas()
    {
        var pods = Pods(3);
        pods[0] = pods[0] with { Request = 900 };
        pods[2] = pods[2] with { Request = 1100 };

        var proposal = ReplicaCalculator.ForUtilization(3, 100, "cpu", pods, Levels(1010, 1030, 1020), Now);

        Assert.Equal(3, proposal.Replicas);
        Assert.Equal(102, proposal.Utilization);
    }

    [Fact]
    public void ScaleUp_WithAnUnreadyPod_CountsItAsUsingNothing()
    {
        var pods = Pods(3, ready: [false, true, true], started: Now.AddMinutes(-1));

        var proposal = ReplicaCalculator.ForUtilization(3, 30, "cpu", pods, Levels(300, 500, 700), Now);

        Assert.Equal(4, proposal.Replicas);
    }

    [Fact]
    public void ScaleUp_WithAPendingPod_IgnoresItsUsage()
    {
        var pods = Pods(3, phases: ["Running", "Running", "Pending"]);

        var proposal = ReplicaCalculator.ForUtilization(3, 30, "cpu", pods, Levels(300, 500, 700), Now);

        // Ready pods at 40 % (ratio 1.33); with the pending pod counted as using nothing 26 %, under the target: a scale-up
        // that turns into a scale-down is no change.
        Assert.Equal(3, proposal.Replicas);
    }

    [Fact]
    public void DeletedAndFailedPods_AreIgnored()
    {
        var pods = Pods(5, phases: ["Running", "Running", "Running", "Failed", "Running"], deleting: [false, false, false, false, true]);

        var proposal = ReplicaCalculator.ForUtilization(3, 30, "cpu", pods, Levels(300, 500, 700, 4000, 9000), Now);

        Assert.Equal(5, proposal.Replicas);
        Assert.Equal(50, proposal.Utilization);
    }

    [Fact]
    public void MissingMetric_AtExactlyTheTarget_KeepsTheReplicas()
    {
        var proposal = ReplicaCalculator.ForUtilization(2, 100, "cpu", Pods(2), Levels(1000), Now);

        Assert.Equal(2, proposal.Replicas);
    }

    [Fact]
    public void MissingMetric_OnScaleDown_CountsTheRequest()
    {
        // Ready pods at 40 %, the missing one counted at 100 %: 1800/3000 = 60 % over a target of 50 %; a scale-down that
        // becomes a scale-up is no change.
        var proposal = ReplicaCalculator.ForUtilization(3, 50, "cpu", Pods(3), Levels(400, 400), Now);

        Assert.Equal(3, proposal.Replicas);
    }

    [Fact]
    public void MissingMetric_OnScaleUp_CountsNothing()
    {
        var proposal = ReplicaCalculator.ForUtilization(3, 50, "cpu", Pods(3), Levels(1000, 1000), Now);

        // 2000/3000 = 66 % / 50 % → 1.33 × 3 = 4.
        Assert.Equal(4, proposal.Replicas);
    }

    [Fact]
    public void MissingRequest_NamesTheContainerAndPod()
    {
        var pods = Pods(2);
        pods[1] = pods[1] with { Request = null, MissingRequest = "app" };

        var e = Assert.Throws<ReplicaCalculationException>(() => ReplicaCalculator.ForUtilization(2, 50, "cpu", pods, Levels(100, 100), Now));

        Assert.Equal("missing request for cpu in container app of Pod test-pod-1", e.Message);
    }

    [Fact]
    public void NoMetrics_IsKubesError()
    {
        var e = Assert.Throws<ReplicaCalculationException>(() => ReplicaCalculator.ForUtilization(2, 50, "cpu", Pods(2), Levels(), Now));

        Assert.Equal("unable to get metrics for resource cpu: no metrics returned from resource metrics API", e.Message);
    }

    [Fact]
    public void AverageValue_ScaleUp_ProposesByTheAverage()
    {
        // Memory: 3 pods averaging 300 MB over a 100 MB target → 9.
        var mb = 1_000_000L * 1000;
        var proposal = ReplicaCalculator.ForAverageValue(3, 100 * mb, "memory", Pods(3), Levels(200 * mb, 300 * mb, 400 * mb), Now);

        Assert.Equal(9, proposal.Replicas);
        Assert.Null(proposal.Utilization);
    }

    [Fact]
    public void Cpu_OfAPodStillInitializingWhoseSampleBeganBeforeItWasReady_IsNotTrusted()
    {
        var pods = Pods(2, started: Now.AddMinutes(-1));
        pods[1] = pods[1] with { ReadySince = Now.AddSeconds(-10) };

        var proposal = ReplicaCalculator.ForUtilization(2, 50, "cpu", pods, Levels(1000, 1000), Now);

        // Only pod 0 counts (200 %); scaling up, pod 1 counts as 0: 1000/2000 = 50 % → within tolerance.
        Assert.Equal(2, proposal.Replicas);
    }
}
