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
        var observations = await executor.ExecuteAsync(pod, sandbox, plan, ct, stopping);
        if (!plan.ReportStatus || sandbox is null)
            return;

        var status = PodStatusBuilder.Build(pod, observations, runtime.Name, sandbox.PodIp, sandbox.HostIp, input.Memory.LastStatus ?? pod.Status,
            time.GetUtcNow());
        record.SetStatus(status);
        reporter.Report(pod, status);
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
