using Granary.Model;

namespace Granary.Api;

/// <summary>
/// Owns one StatefulSet and is its controller: keeps its pods "&lt;set&gt;-&lt;ordinal&gt;" and their claims, creates,
/// updates and removes them in ordinal order, keeps its template revisions as ControllerRevisions, and writes its
/// status from its pods. Level-triggered: a pod's change only asks for a reconcile.
/// </summary>
[Alias("granary.IStatefulSetGrain")]
public interface IStatefulSetGrain : IResourceGrain<StatefulSet>, IPodControllerGrain;
