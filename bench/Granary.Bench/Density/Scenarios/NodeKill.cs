using System.Diagnostics;
using System.Globalization;
using Granary.Api;
using Granary.Client;
using Granary.Model;

namespace Granary.Bench;

/// <summary>
/// What a --kill-nodes phase measured, in seconds from the kill -9: when the last victim was seen NotReady/Unknown, its
/// last pod evicted (deleted or marked for deletion), and the last replacement of a ReplicaSet's pod seen Running on
/// another node (NaN when there were none to replace); with the medians over nodes and pods.
/// </summary>
internal sealed record NodeKillResult(int Victims, int Nodes, int PodsOnVictims, int OwnedPods, double NotReadyMedianS, double NotReadyS,
    double EvictedMedianS, double EvictedS, double ReplacedMedianS, double ReplacedS, int GraceSeconds, int TolerationSeconds, double EvictionRate);

/// <summary>
/// The --kill-nodes phase, run once every pod is Running: notes the pods on the victims (the hollow nodes alone in
/// their own process), watches nodes and pods, kill -9s that process, and waits, printing progress every second, until
/// the node lifecycle controller has marked every victim NotReady/Unknown, every pod there is evicted, and each
/// ReplicaSet's lost pods have replacements Running elsewhere.
/// </summary>
internal sealed class NodeKill(GranaryClient client, HollowProcesses hollow, DensityOptions options, TextWriter output)
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, long> _notReadyAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _evictedAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _replacedAt = new(StringComparer.Ordinal);
    private Exception? _failure;

    public async Task<NodeKillResult> RunAsync(CancellationToken ct)
    {
        var victims = hollow.IsolatedNodes.ToHashSet(StringComparer.Ordinal);
        var pods = await client.Pods.ListAsync(new ListOptions { Namespace = BenchObjects.Namespace }, ct);
        var before = pods.Items.Select(p => p.Metadata.Uid!).ToHashSet(StringComparer.Ordinal);
        var lost = pods.Items.Where(p => victims.Contains(p.Spec.NodeName ?? "")).ToDictionary(p => p.Metadata.Uid!, StringComparer.Ordinal);
        // A ReplicaSet replaces what it lost: so many new pods of each owner, Running on a node that lives.
        var owed = lost.Values.Select(ReplicaSetOf).OfType<string>().GroupBy(o => o, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var ownedCount = owed.Values.Sum();
        var nodes = await client.Nodes.ListAsync(new ListOptions(), ct);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watches = new[]
        {
            WatchAsync(client.Nodes, new WatchOptions { ResourceVersion = nodes.ResourceVersion }, (_, node) =>
            {
                if (victims.Contains(node.Metadata.Name!) && node.Status?.Conditions?.Find(c => c.Type == "Ready") is not { Status: "True" })
                    _notReadyAt.TryAdd(node.Metadata.Name!, Stopwatch.GetTimestamp());
            }, stop.Token),
            WatchAsync(client.Pods, new WatchOptions { Namespace = BenchObjects.Namespace, ResourceVersion = pods.ResourceVersion }, (type, pod) =>
            {
                var uid = pod.Metadata.Uid!;
                if (lost.ContainsKey(uid) && (type == WatchEventType.Deleted || pod.Metadata.DeletionTimestamp is not null))
                    _evictedAt.TryAdd(uid, Stopwatch.GetTimestamp());
                else if (!before.Contains(uid) && ReplicaSetOf(pod) is { } owner && owed.TryGetValue(owner, out var left) && left > 0
                    && !victims.Contains(pod.Spec.NodeName ?? "") && PodMilestone.Running.IsMet(type, pod) && _replacedAt.TryAdd(uid, Stopwatch.GetTimestamp()))
                    owed[owner] = left - 1;
            }, stop.Token),
        };

        output.WriteLine($"killing {victims.Count} of {options.Nodes} hollow nodes (kill -9 of pid {hollow.Isolated?.Pid}) with {lost.Count} pods on them, " +
            $"{ownedCount} of those owned by ReplicaSets; {NodeKillSettings.Describe(options)}");
        var killedAt = Stopwatch.GetTimestamp();
        await hollow.KillIsolatedAsync();
        var limit = TimeSpan.FromSeconds(options.GracePeriodSeconds + options.TolerationSeconds + victims.Count / NodeKillSettings.EvictionRate(options)) + Margin;
        try
        {
            while (true)
            {
                (int NotReady, int Evicted, int Replaced) counts;
                lock (_notReadyAt)
                    counts = (_notReadyAt.Count, _evictedAt.Count, _replacedAt.Count);
                if (Volatile.Read(ref _failure) is { } failure)
                    throw new BenchmarkException($"a watch of the --kill-nodes phase failed: {failure.GetType().Name}: {failure.Message}");
                if (counts == (victims.Count, lost.Count, ownedCount))
                    break;
                var elapsed = Stopwatch.GetElapsedTime(killedAt);
                if (elapsed > limit)
                    throw new BenchmarkException($"{limit.TotalSeconds:0} s after the kill, {counts.NotReady} of {victims.Count} killed nodes were seen NotReady, " +
                        $"{counts.Evicted} of {lost.Count} of their pods evicted and {counts.Replaced} of {ownedCount} replacements Running elsewhere");
                output.WriteLine($"  {elapsed.TotalSeconds,6:0.0} s after the kill  NotReady {counts.NotReady}/{victims.Count}  evicted {counts.Evicted}/{lost.Count}  replacements Running {counts.Replaced}/{ownedCount}");
                // The times are taken as events arrive; this loop only prints and sees the end, so a second between looks is enough.
                await Task.Delay(ProgressInterval, ct);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(watches);
        }
        lock (_notReadyAt)
            return new NodeKillResult(victims.Count, options.Nodes, lost.Count, ownedCount,
                Median(_notReadyAt.Values, killedAt), Last(_notReadyAt.Values, killedAt), Median(_evictedAt.Values, killedAt), Last(_evictedAt.Values, killedAt),
                Median(_replacedAt.Values, killedAt), Last(_replacedAt.Values, killedAt),
                options.GracePeriodSeconds, options.TolerationSeconds, NodeKillSettings.EvictionRate(options));
    }

    private static string? ReplicaSetOf(Pod pod) =>
        pod.Metadata.OwnerReferences?.Find(o => o.Kind == "ReplicaSet" && o.Controller == true)?.Uid;

    private static double Seconds(long at, long from) => Stopwatch.GetElapsedTime(from, at).TotalSeconds;

    private static double Last(IEnumerable<long> at, long from) => at.Any() ? Seconds(at.Max(), from) : double.NaN;

    private static double Median(IEnumerable<long> at, long from) =>
        at.Any() ? Percentiles.NearestRank([.. at.Select(a => Seconds(a, from)).Order()], 50) : double.NaN;

    /// <summary>Applies every event (under the lock) until stopped; a failure is kept for the waiter to throw.</summary>
    private async Task WatchAsync<T>(ResourceClient<T> resources, WatchOptions watch, Action<WatchEventType, T> apply, CancellationToken ct)
        where T : class, IResource<T>
    {
        try
        {
            await foreach (var e in resources.WatchAsync(watch, ct))
            {
                lock (_notReadyAt)
                    apply(e.Type, e.Object);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped at the end of the phase.
        }
        catch (Exception e)
        {
            Volatile.Write(ref _failure, e);
        }
    }

    /// <summary>Prints the phase's figures, then its machine-readable line ("na" for what was not measured).</summary>
    public static void Print(NodeKillResult r, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"killed {r.Victims} of {r.Nodes} hollow nodes (kill -9), {r.PodsOnVictims} pods on them, {r.OwnedPods} owned by ReplicaSets; " +
            $"the silo ran with a node monitor grace period of {r.GraceSeconds} s, tolerations of {r.TolerationSeconds} s, eviction rate {r.EvictionRate} nodes/s (kube: 40 s, 300 s, 0.1)");
        output.WriteLine($"  seen NotReady/Unknown:            median {Figure(r.NotReadyMedianS)} s, all {Figure(r.NotReadyS)} s after the kill");
        output.WriteLine($"  pods evicted:                     median {Figure(r.EvictedMedianS)} s, all {Figure(r.EvictedS)} s after the kill");
        output.WriteLine($"  replacements Running elsewhere:   median {Figure(r.ReplacedMedianS)} s, all {Figure(r.ReplacedS)} s after the kill");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"density-kill: nodes={r.Nodes} killed={r.Victims} pods_on_killed={r.PodsOnVictims} owned={r.OwnedPods} notready_s={Figure(r.NotReadyS)} " +
            $"evicted_s={Figure(r.EvictedS)} replaced_s={Figure(r.ReplacedS)} grace_s={r.GraceSeconds} toleration_s={r.TolerationSeconds} eviction_rate={r.EvictionRate}"));
    }

    private static string Figure(double seconds) => double.IsNaN(seconds) ? "na" : seconds.ToString("0.0", CultureInfo.InvariantCulture);
}
