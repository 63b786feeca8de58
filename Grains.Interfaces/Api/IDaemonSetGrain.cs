using Granary.Model;
using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>
/// Owns one DaemonSet (key "namespace/name") and is its controller: one pod on every node that should run it, rolled to
/// the current template by the update strategy, with the template history in ControllerRevisions. Level-triggered:
/// its pods tell it of their changes (<see cref="IPodControllerGrain"/>), nodes of theirs.
/// </summary>
[Alias("granary.IDaemonSetGrain")]
public interface IDaemonSetGrain : IResourceGrain<DaemonSet>, IPodControllerGrain
{
    /// <summary>A node came, went, or changed its labels or taints. One-way, a hint from the node's grain; idempotent.</summary>
    [Alias("NodesChanged"), OneWay]
    Task NodesChangedAsync();
}
