using System.Diagnostics;
using Granary.Client;

namespace Granary.Bench;

/// <summary>
/// The churn scenario against a started cluster and hollow nodes: Deployments created, scaled and deleted
/// (<see cref="ChurnPlan"/>) for --duration at --rate operations/s (by default paced to 20 pods/s of churn, the
/// condition of Kubernetes' pod startup SLO) while a background reader gets and lists pods and a timeline samples the
/// processes; then waits until every Deployment left has its pods Running; with --kill-nodes creates one more of two
/// pods a node and runs that phase; deletes every Deployment and waits until garbage collection has removed all their pods.
/// </summary>
internal sealed class ChurnBenchmark(LocalCluster cluster, HollowProcesses hollow, GranaryClient client, DensityOptions options, TextWriter output)
{
    public const double DefaultPodChurnPerSecond = 20;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    public async Task<ChurnRun> RunAsync(CancellationToken ct)
    {
        await HollowNodesReady.WaitAsync(client, options.Nodes, output, ct);
        await using var pods = await ChurnPods.StartAsync(client.Pods, ct);
        using var http = cluster.Api.CreateClient(RequestTimeout, options.Concurrency);
        using var readerHttp = cluster.Api.CreateClient(RequestTimeout, 1);
        var first = Stopwatch.GetTimestamp();
        var calls = new DeploymentCalls(http, first);
        var plan = new ChurnPlan(options.Pods);
        output.WriteLine($"churn: Deployments of 1, 5, 20 and 100 replicas created, scaled and deleted for {options.Duration.TotalSeconds:0} s at " +
            $"{(options.Rate is { } r ? $"{r} operations/s" : $"a pace of {DefaultPodChurnPerSecond} pods/s of churn")}, at most {options.Pods} pods at once, on {options.Nodes} hollow nodes");

        IReadOnlyList<TimelineRow> timeline;
        IReadOnlyList<ApiSample> reads;
        int operations;
        long podsChanged;
        double churnSeconds, settleSeconds, gcSeconds;
        NodeKillResult? kill = null;
        await using (var samples = new DensityTimeline(first, () => pods.Counts() is var c ? new PodCounts(c.Created, c.Bound, c.Running) : default,
            cluster.Silos.Select(s => s.Pid).ToList(), hollow.Processes.Select(p => p.Pid).ToList(), cluster.Redis, null, output))
        {
            await using (var reader = new ApiReader(readerHttp, first, pods.AnyLive))
            {
                (operations, podsChanged) = await ChurnAsync(plan, calls, first, ct);
                churnSeconds = Stopwatch.GetElapsedTime(first).TotalSeconds;
                output.WriteLine($"churn done: {operations} operations changing {podsChanged} pods in {churnSeconds:0.0} s; {plan.Live.Count} Deployments with {plan.LivePods} pods left");
                await SettleAsync(pods, plan.LivePods, "every Deployment left has its pods Running", c => c.Running == plan.LivePods && c.Live == plan.LivePods, calls, ct);
                settleSeconds = Stopwatch.GetElapsedTime(first).TotalSeconds - churnSeconds;
                var left = plan.Live.Keys.ToList();
                if (options.Victims > 0)
                {
                    // The churn leaves alive whatever its seed leaves, often a few pods: fill the nodes first, two pods
                    // a node, so that the killed ones hold ReplicaSets' pods to evict and replace.
                    var fill = new ChurnOperation(ChurnVerb.Create, ChurnPlan.NamePrefix + "fill", 2 * options.Nodes, 2 * options.Nodes);
                    output.WriteLine($"before the kill: Deployment {fill.Deployment} with {fill.Replicas} replicas");
                    await calls.RunAsync(fill, ct);
                    left.Add(fill.Deployment);
                    var filled = plan.LivePods + fill.Replicas;
                    await SettleAsync(pods, filled, "the fill Deployment's pods are Running", c => c.Running == filled && c.Live == filled, calls, ct);
                    kill = await new NodeKill(client, hollow, options, output).RunAsync(ct);
                }

                var deleting = Stopwatch.GetTimestamp();
                output.WriteLine($"deleting the {left.Count} Deployments left; garbage collection removes their ReplicaSets and pods");
                await Task.WhenAll(left.Select(name => calls.RunAsync(new ChurnOperation(ChurnVerb.Delete, name, 0, 0), ct)));
                await SettleAsync(pods, 0, "every pod of the deleted Deployments is gone", c => c.Live == 0, calls, ct);
                gcSeconds = Stopwatch.GetElapsedTime(deleting).TotalSeconds;
                output.WriteLine($"every churn pod gone {gcSeconds:0.0} s after the deletes began");
                reads = reader.Samples;
            }
            timeline = samples.Rows;
        }
        return new ChurnRun(options, first, operations, podsChanged, churnSeconds, settleSeconds, gcSeconds,
            calls.Samples, reads, pods.Startups(first), timeline, kill);
    }

    /// <summary>Issues the plan's operations until --duration has passed; a Deployment's operations run in order, others overlap.</summary>
    private async Task<(int Operations, long PodsChanged)> ChurnAsync(ChurnPlan plan, DeploymentCalls calls, long first, CancellationToken ct)
    {
        var last = new Dictionary<string, Task>(StringComparer.Ordinal);
        using var inFlight = new SemaphoreSlim(options.Concurrency);
        var operations = 0;
        long changed = 0;
        while (true)
        {
            // Due when the pods changed so far, at the default pace, would have taken this long; or at the asked rate.
            var due = TimeSpan.FromSeconds(options.Rate is { } rate ? operations / (double)rate : changed / DefaultPodChurnPerSecond);
            if (due >= options.Duration)
                break;
            var wait = due - Stopwatch.GetElapsedTime(first);
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, ct);
            var operation = plan.Next();
            var before = last.GetValueOrDefault(operation.Deployment, Task.CompletedTask);
            last[operation.Deployment] = RunAfterAsync(before, operation);
            operations++;
            changed += operation.PodsChanged;
        }
        await Task.WhenAll(last.Values);
        return (operations, changed);

        async Task RunAfterAsync(Task before, ChurnOperation operation)
        {
            await before;
            await inFlight.WaitAsync(ct);
            try
            {
                await calls.RunAsync(operation, ct);
            }
            finally
            {
                inFlight.Release();
            }
        }
    }

    private async Task SettleAsync(ChurnPods pods, int expected, string what, Func<(int Created, int Bound, int Running, int Live), bool> done, DeploymentCalls calls, CancellationToken ct)
    {
        if (await pods.WaitUntilAsync(done, options.RunningTimeout, ct))
            return;
        var c = pods.Counts();
        throw new BenchmarkException($"not settled {options.RunningTimeout.TotalSeconds:0} s on: waiting until {what}, {c.Live} pods live ({expected} expected), " +
            $"{c.Running} Running, {c.Bound} bound. {(calls.FirstError is { } e ? $"First failed call: {e}" : "No call failed.")}");
    }
}
