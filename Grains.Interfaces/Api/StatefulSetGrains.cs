using Granary.Model;
using Orleans.Concurrency;

namespace Granary.Api;

/// <summary>
/// Owns one StatefulSet and is its controller: keeps its pods "&lt;set&gt;-&lt;ordinal&gt;" and their claims, creates,
/// updates and removes them in ordinal order, and writes its status from them. Level-triggered: every call below
/// only asks for a reconcile.
/// </summary>
[Alias("granary.IStatefulSetGrain")]
public interface IStatefulSetGrain : IResourceGrain<StatefulSet>
{
    /// <summary>A pod this StatefulSet controls changed or went away. One-way, from the pod's grain; idempotent.</summary>
    [Alias("PodChanged"), OneWay]
    Task PodChangedAsync();
}
