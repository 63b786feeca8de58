using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Probes;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// One pass over one pod: prepare it, ask the engine what the planner needs, plan, carry the plan out, and report
/// the status built from what was observed.
/// </summary>
public sealed class PodSync(
    IContainerRuntime runtime,
    PodSyncExecutor executor,
    PodRecords records,
    ProbeManager probes,
    PodStatusReporter reporter,
    TerminationMessages messages,
    TimeProvider time)
{
    public async Task SyncAsync(Pod pod, IReadOnlyList<ContainerInfo> instances, HashSet<string> addressesInUse, CancellationToken ct,
        CancellationToken stopping)
    {
        var record = records.For(pod.Metadata.Uid!);
        var sandbox = pod.Metadata.DeletionTimestamp is null ? await executor.PreparePodAsync(pod, instances, addressesInUse, ct) : null;
        var input = new PodSyncInput(
            pod,
            instances,
            record.Snapshot(),
            ProbeResults(instances),
            await PresentImagesAsync(pod, instances, ct),
            time.GetUtcNow());
        var plan = PodActionsPlanner.Plan(input);
        var done = await executor.ExecuteAsync(pod, sandbox, plan, ct, stopping);
        if (!plan.ReportStatus || sandbox is null)
            return;

        var known = await ReadMessagesAsync(pod, record, done, ct);
        var observed = new PodObservation(
            [.. done.Containers.Select(o => o with { Messages = known })],
            [.. done.InitContainers.Select(o => o with { Messages = known })],
            done.Initialized, sandbox, done.Failure);
        var status = PodStatusBuilder.Build(pod, observed, runtime.Name, input.Memory.LastStatus ?? pod.Status, time.GetUtcNow());
        record.SetStatus(status);
        reporter.Report(pod, status);
    }

    /// <summary>The termination messages of the pod's exited instances shown in the status, each read once.</summary>
    private async Task<ImmutableDictionary<string, string>> ReadMessagesAsync(Pod pod, PodRecord record, PodPlan done, CancellationToken ct)
    {
        var specs = (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []).ToDictionary(c => c.Name, StringComparer.Ordinal);
        var known = record.Messages;
        var read = new Dictionary<string, string>(StringComparer.Ordinal);
        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in done.InitContainers.Concat(done.Containers))
        {
            foreach (var instance in new[] { o.Current, o.Previous }.OfType<ContainerInfo>().Where(i => i.State == ContainerRunState.Exited))
            {
                shown.Add(instance.Id);
                if (!known.ContainsKey(instance.Id) && specs.TryGetValue(o.Name, out var spec)
                    && await messages.ReadAsync(pod, spec, instance, ct) is { } message)
                    read[instance.Id] = message;
            }
        }
        record.SetMessages(read, shown);
        return record.Messages;
    }

    private Dictionary<string, ContainerProbeStatus> ProbeResults(IReadOnlyList<ContainerInfo> instances)
    {
        var results = new Dictionary<string, ContainerProbeStatus>(StringComparer.Ordinal);
        foreach (var c in instances)
        {
            if (probes.Status(c.Id) is { } status)
                results[c.Id] = status;
        }
        return results;
    }

    private async Task<IReadOnlySet<string>> PresentImagesAsync(Pod pod, IReadOnlyList<ContainerInfo> instances, CancellationToken ct)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in PodActionsPlanner.ImagesToCheck(pod, instances))
        {
            if (await runtime.ImageExistsAsync(image, ct))
                present.Add(image);
        }
        return present;
    }
}
