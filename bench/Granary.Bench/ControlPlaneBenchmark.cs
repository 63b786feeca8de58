using System.Diagnostics;
using Granary.Client;
using Granary.Model;

namespace Granary.Bench;

/// <summary>
/// The control-plane benchmark: register M Ready nodes, watch pods, create N pods with bounded concurrency, and
/// wait until the watch has seen every pod bound. Everything goes through the SDK, as any client's calls would.
/// Failures of the system under test are reported as they are (<see cref="BenchmarkException"/>), never retried.
/// </summary>
internal sealed class ControlPlaneBenchmark(GranaryClient client, ControlPlaneOptions options, TextWriter output)
{
    public async Task<ControlPlaneResult> RunAsync(CancellationToken ct)
    {
        var status = await client.GetClusterStatusAsync(ct);
        output.WriteLine($"cluster: {status.Silos.Length} silo(s) [{string.Join(", ", status.Silos.Select(s => $"{s.Address} {s.Status}"))}]; " +
            $"objects: {(status.Objects.IsEmpty ? "none" : string.Join(", ", status.Objects.Select(k => $"{k.Kind} {k.Count}")))}");
        var loadBefore = ProcessHelpers.LoadAverage();

        var nodesTime = await RegisterNodesAsync(ct);

        output.WriteLine($"[2/4] watching pods in namespace {BenchObjects.Namespace}");
        await using var watch = await PodWatch.StartAsync(client.Pods, options.Pods, [PodMilestone.Bound, PodMilestone.MarkedUnschedulable], ct);
        var bound = watch[PodMilestone.Bound];

        var creates = await CreatePodsAsync(bound, ct);
        var lastBoundAt = await WaitForBindingsAsync(watch, creates.FirstStartedAt, ct);

        // The watch can see a binding before the create call has returned to us; such a pod counts as 0 ms.
        var bindLatency = Enumerable.Range(0, options.Pods).Select(i => Math.Max(0, Stopwatch.GetElapsedTime(creates.ReturnedAt[i], bound.At(i)).TotalMilliseconds));
        var boundBeforeReturn = Enumerable.Range(0, options.Pods).Count(i => bound.At(i) < creates.ReturnedAt[i]);
        return new ControlPlaneResult
        {
            Nodes = options.Nodes,
            Pods = options.Pods,
            Concurrency = options.Concurrency,
            NodeRegistration = nodesTime,
            CreatePhase = Stopwatch.GetElapsedTime(creates.FirstStartedAt, creates.LastReturnedAt),
            CreateLatency = creates.CallLatency(),
            FirstCreateToAllBound = Stopwatch.GetElapsedTime(creates.FirstStartedAt, lastBoundAt),
            BindLatency = Percentiles.Summarize(bindLatency),
            BoundBeforeCreateReturned = boundBeforeReturn,
            MarkedUnschedulable = watch[PodMilestone.MarkedUnschedulable].Reached,
            WatchEvents = watch.Events,
            LoadBefore = loadBefore,
            LoadAfter = ProcessHelpers.LoadAverage(),
        };
    }

    private async Task<TimeSpan> RegisterNodesAsync(CancellationToken ct)
    {
        output.WriteLine($"[1/4] registering {options.Nodes} nodes ({options.Concurrency} in flight)");
        var done = 0;
        var started = Stopwatch.GetTimestamp();
        await using (new ProgressPrinter(output, "nodes", options.Nodes, () => Volatile.Read(ref done)))
        {
            await InFlight.ForEachAsync(options.Nodes, options.Concurrency, async (i, token) =>
            {
                var name = BenchObjects.NodeName(i, options.Nodes);
                try
                {
                    await client.Nodes.CreateAsync(BenchObjects.Node(name), token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw BenchmarkException.Failed($"registering node {name} failed after {Volatile.Read(ref done)} nodes", e);
                }
                Interlocked.Increment(ref done);
            }, ct);
        }
        return Stopwatch.GetElapsedTime(started);
    }

    private async Task<PodCreations> CreatePodsAsync(MilestoneTimes bound, CancellationToken ct)
    {
        output.WriteLine($"[3/4] creating {options.Pods} pods ({options.Concurrency} in flight)");
        var creates = new PodCreations(options.Pods);
        await using (new ProgressPrinter(output, "pods", options.Pods, () => creates.Done, () => $"bound {bound.Reached}"))
            await creates.RunAsync(client.Pods, options.Concurrency, BenchObjects.Pod, ct);
        return creates;
    }

    /// <summary>Waits until the watch has seen every pod bound; returns when the last one was seen.</summary>
    private async Task<long> WaitForBindingsAsync(PodWatch watch, long firstCreateAt, CancellationToken ct)
    {
        var limit = options.EffectiveBindTimeout;
        var bound = watch[PodMilestone.Bound];
        var unschedulable = watch[PodMilestone.MarkedUnschedulable];
        output.WriteLine($"[4/4] waiting until every pod is seen bound (limit {limit.TotalSeconds:0} s after the first create)");
        await using (new ProgressPrinter(output, "bound", options.Pods, () => bound.Reached, () => unschedulable.Reached > 0 ? $"marked Unschedulable so far {unschedulable.Reached}" : null))
        {
            if (await bound.WaitAllAsync(limit - Stopwatch.GetElapsedTime(firstCreateAt), ct))
                return bound.LastAt;
        }
        throw await UnboundFailureAsync(watch, limit, ct);
    }

    /// <summary>Says how many pods are still unbound, and whether the cluster agrees with what the watch saw.</summary>
    private async Task<BenchmarkException> UnboundFailureAsync(PodWatch watch, TimeSpan limit, CancellationToken ct)
    {
        var pending = options.Pods - watch[PodMilestone.Bound].Reached;
        string listed;
        try
        {
            var pods = await client.Pods.ListAsync(new ListOptions { Namespace = BenchObjects.Namespace }, ct);
            var ours = pods.Items.Where(p => BenchObjects.PodIndex(p.Metadata.Name) >= 0).ToList();
            listed = $"a list now shows {ours.Count} benchmark pods, {ours.Count(p => !string.IsNullOrEmpty(p.Spec.NodeName))} of them bound";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            listed = $"listing pods failed too ({e.GetType().Name}: {e.Message})";
        }
        var marked = watch[PodMilestone.MarkedUnschedulable].Reached;
        // The message of a pod that is still marked, as the watch last saw it.
        var message = Enumerable.Range(0, options.Pods).Select(watch.Latest).OfType<Pod>().Select(PodMilestone.UnschedulableMessage).FirstOrDefault(m => m is not null);
        var unschedulable = marked == 0 ? "none was marked Unschedulable"
            : $"{marked} were marked Unschedulable at some point ({(message is null ? "none is now" : $"one now says: \"{message}\"")})";
        return new BenchmarkException(
            $"{pending} of {options.Pods} pods were still not seen bound {limit.TotalSeconds:0} s after the first create " +
            $"(e.g. {string.Join(", ", watch.SomeMissing(PodMilestone.Bound, 3))}); {unschedulable}; the watch received {watch.Events} events; {listed}");
    }
}
