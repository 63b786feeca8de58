using Granary.Client;
using Granary.Errors;
using Granary.Grains.Disruption;
using Granary.Grains.Workloads;
using Granary.Model;
using static Granary.Tests.Unit.Grains.WorkloadObjects;

namespace Granary.Tests.Unit.Grains;

/// <summary>The disruption controller and the eviction API against one in-process silo, with a ReplicaSet's pods made ready by hand.</summary>
public sealed class DisruptionGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    private static PodDisruptionBudget Budget(string ns, string name, IntOrString? minAvailable = null, IntOrString? maxUnavailable = null,
        string app = "web", string? unhealthyPolicy = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new PodDisruptionBudgetSpec { MinAvailable = minAvailable, MaxUnavailable = maxUnavailable, Selector = Selector(app), UnhealthyPodEvictionPolicy = unhealthyPolicy },
    };

    /// <summary>A namespace with a ReplicaSet of <paramref name="replicas"/> ready pods.</summary>
    private async Task<(string Ns, List<Pod> Pods)> ReadyReplicaSetAsync(string prefix, int replicas)
    {
        var ns = await NamespaceAsync(Client, prefix);
        await Client.ReplicaSets.CreateAsync(ReplicaSet(ns, "web", replicas));
        await Eventually.Until(() => ActivePodsAsync(Client, ns), p => p.Count == replicas, $"replicaset {ns}/web creating {replicas} pods");
        var pods = await Eventually.Until(async () => { await MakePodsReadyAsync(Client, ns); return await ActivePodsAsync(Client, ns); },
            p => p.Count == replicas && p.All(PodReadiness.IsReady), $"replicaset {ns}/web {replicas} ready pods");
        return (ns, pods);
    }

    private Task<PodDisruptionBudget> BudgetStatusAsync(string ns, string name, Func<PodDisruptionBudgetStatus, bool> done, string phase) =>
        Eventually.Until(() => Client.PodDisruptionBudgets.GetAsync(ns, name), b => b.Status is { } s && done(s), $"pdb {ns}/{name}: {phase}");

    [Fact]
    public async Task Budget_MaxUnavailable_CountsTheReplicaSetsScale()
    {
        var (ns, _) = await ReadyReplicaSetAsync("pdb-status", 3);

        await Client.PodDisruptionBudgets.CreateAsync(Budget(ns, "web", maxUnavailable: 1));

        var pdb = await BudgetStatusAsync(ns, "web", s => s.CurrentHealthy == 3, "3 healthy");
        var s = pdb.Status!;
        Assert.Equal((3, 3, 2, 1, 1L), (s.ExpectedPods, s.CurrentHealthy, s.DesiredHealthy, s.DisruptionsAllowed, s.ObservedGeneration!.Value));
        var condition = Assert.Single(s.Conditions!);
        Assert.Equal(("DisruptionAllowed", "True", "SufficientPods"), (condition.Type, condition.Status, condition.Reason));
    }

    [Fact]
    public async Task Budget_WithoutBounds_DefaultsToMinAvailableOne()
    {
        var ns = await NamespaceAsync(Client, "pdb-default");

        var pdb = await Client.PodDisruptionBudgets.CreateAsync(Budget(ns, "web"));

        Assert.Equal(1, pdb.Spec.MinAvailable);
        Assert.Null(pdb.Spec.MaxUnavailable);
    }

    [Fact]
    public async Task Evict_WithinBudget_DeletesThePod_ThenRefusesUntilTheReplacementIsReady()
    {
        var (ns, pods) = await ReadyReplicaSetAsync("evict-budget", 3);
        await Client.PodDisruptionBudgets.CreateAsync(Budget(ns, "web", minAvailable: 2));
        await BudgetStatusAsync(ns, "web", s => s.DisruptionsAllowed == 1, "1 disruption allowed");

        await Client.EvictAsync(ns, pods[0].Metadata.Name!);

        await Assert.ThrowsAsync<NotFoundException>(() => Client.Pods.GetAsync(ns, pods[0].Metadata.Name!));
        var refused = await Assert.ThrowsAsync<TooManyRequestsException>(() => Client.EvictAsync(ns, pods[1].Metadata.Name!));
        Assert.Equal(EvictionErrors.ViolatesBudget, refused.Message);
        var cause = Assert.Single(refused.Causes);
        Assert.Equal("DisruptionBudget", cause.Reason);
        Assert.StartsWith("The disruption budget web needs 2 healthy pods and has ", cause.Message);
        Assert.Equal(0, refused.RetryAfterSeconds);

        // The ReplicaSet's replacement becomes ready: the budget has a disruption again.
        await Eventually.Until(async () => { await MakePodsReadyAsync(Client, ns); return await ActivePodsAsync(Client, ns); },
            p => p.Count == 3 && p.All(PodReadiness.IsReady), $"replicaset {ns}/web replacement ready");
        await BudgetStatusAsync(ns, "web", s => s.DisruptionsAllowed == 1 && s.DisruptedPods is null, "1 disruption allowed after the replacement");
        await Client.EvictAsync(ns, pods[1].Metadata.Name!);
        await Assert.ThrowsAsync<NotFoundException>(() => Client.Pods.GetAsync(ns, pods[1].Metadata.Name!));
    }

    [Fact]
    public async Task Evict_ConcurrentlyForTheLastDisruption_GrantsExactlyOne()
    {
        var (ns, pods) = await ReadyReplicaSetAsync("evict-race", 4);
        await Client.PodDisruptionBudgets.CreateAsync(Budget(ns, "web", minAvailable: 3));
        await BudgetStatusAsync(ns, "web", s => s.DisruptionsAllowed == 1, "1 disruption allowed");

        var results = await Task.WhenAll(pods.Select(async p =>
        {
            try
            {
                await Client.EvictAsync(ns, p.Metadata.Name!);
                return "evicted";
            }
            catch (TooManyRequestsException)
            {
                return "refused";
            }
        }));

        Assert.Equal(["evicted", "refused", "refused", "refused"], results.Order());
        var pdb = await Client.PodDisruptionBudgets.GetAsync(ns, "web");
        Assert.True(pdb.Status!.DisruptionsAllowed == 0, $"disruptionsAllowed {pdb.Status.DisruptionsAllowed}");
    }

    [Fact]
    public async Task Evict_PodWithFinalizer_IsMarkedDisruptionTargetAndDeleting()
    {
        var ns = await NamespaceAsync(Client, "evict-mark");
        var pod = Objects.Pod(ns, "held", labels: Labels(("app", "held")));
        await Client.Pods.CreateAsync(pod with { Metadata = pod.Metadata with { Finalizers = ["example.com/hold"] } });

        await Client.EvictAsync(ns, "held");

        var marked = await Client.Pods.GetAsync(ns, "held");
        Assert.NotNull(marked.Metadata.DeletionTimestamp);
        var condition = Assert.Single(marked.Status!.Conditions!, c => c.Type == "DisruptionTarget");
        Assert.Equal(("True", "EvictionByEvictionAPI", "Eviction API: evicting"), (condition.Status, condition.Reason, condition.Message));
    }

    [Fact]
    public async Task Evict_PendingPod_GoesWithoutAskingTheBudget()
    {
        var ns = await NamespaceAsync(Client, "evict-pending");
        await Client.Pods.CreateAsync(Objects.Pod(ns, "waiting", labels: Labels(("app", "web"))));
        await Client.PodDisruptionBudgets.CreateAsync(Budget(ns, "web", maxUnavailable: 0));

        await Client.EvictAsync(ns, "waiting");

        await Assert.ThrowsAsync<NotFoundException>(() => Client.Pods.GetAsync(ns, "waiting"));
    }

    [Fact]
    public async Task Evict_PodOfTwoBudgets_IsAnInternalErrorInKubesWords()
    {
        var (ns, pods) = await ReadyReplicaSetAsync("evict-two", 2);
        await Client.PodDisruptionBudgets.CreateAsync(Budget(ns, "one", minAvailable: 0));
        await Client.PodDisruptionBudgets.CreateAsync(Budget(ns, "two", minAvailable: 0));
        await BudgetStatusAsync(ns, "two", s => s.ObservedGeneration == 1, "observed");

        var error = await Assert.ThrowsAsync<InternalErrorException>(() => Client.EvictAsync(ns, pods[0].Metadata.Name!));

        Assert.Equal("Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", error.Message);
        Assert.True(PodReadiness.IsActive(await Client.Pods.GetAsync(ns, pods[0].Metadata.Name!)), "the pod must still be there");
    }

    [Theory]
    [InlineData("AlwaysAllow", true)]
    [InlineData("IfHealthyBudget", false)]
    public async Task Evict_RunningPodNotReady_FollowsTheUnhealthyPodEvictionPolicy(string policy, bool evicted)
    {
        var (ns, pods) = await ReadyReplicaSetAsync("evict-unhealthy", 2);
        var sick = pods[0];
        await Client.Pods.UpdateStatusAsync(sick with { Status = sick.Status! with { Conditions = [new PodCondition { Type = "Ready", Status = "False" }] } });
        await Client.PodDisruptionBudgets.CreateAsync(Budget(ns, "web", minAvailable: 2, unhealthyPolicy: policy));
        await BudgetStatusAsync(ns, "web", s => s.CurrentHealthy == 1 && s.DesiredHealthy == 2, "1 of 2 healthy");

        var eviction = Client.EvictAsync(ns, sick.Metadata.Name!);

        if (evicted)
        {
            await eviction;
            await Assert.ThrowsAsync<NotFoundException>(() => Client.Pods.GetAsync(ns, sick.Metadata.Name!));
        }
        else
        {
            await Assert.ThrowsAsync<TooManyRequestsException>(() => eviction);
        }
    }

    [Fact]
    public async Task Evict_DryRun_TakesNoDisruptionAndDeletesNothing()
    {
        var (ns, pods) = await ReadyReplicaSetAsync("evict-dry", 2);
        await Client.PodDisruptionBudgets.CreateAsync(Budget(ns, "web", minAvailable: 1));
        var before = await BudgetStatusAsync(ns, "web", s => s.DisruptionsAllowed == 1, "1 disruption allowed");

        await Client.EvictAsync(ns, pods[0].Metadata.Name!, dryRun: true);

        Assert.True(PodReadiness.IsActive(await Client.Pods.GetAsync(ns, pods[0].Metadata.Name!)), "a dry run must not delete");
        Assert.Equal(before.Metadata.ResourceVersion, (await Client.PodDisruptionBudgets.GetAsync(ns, "web")).Metadata.ResourceVersion);
    }
}
