using Granary.Model;
using Granary.Selectors;

namespace Granary.Grains.Scheduling;

/// <summary>
/// The selector kube-scheduler's default spreading counts a pod's siblings with (kube's helper.DefaultSelector): the
/// selectors of the Services in its namespace that select it, plus the selector of its controller when that is a
/// ReplicaSet, ReplicationController or StatefulSet. Memoized per namespace, controller and labels, as the replicas
/// of one workload share all three.
/// </summary>
public sealed class SpreadSelectors
{
    public static readonly SpreadSelectors None = new([], new Dictionary<string, LabelSelectorSpec>());

    private readonly Dictionary<string, List<IReadOnlyDictionary<string, string>>> _servicesByNamespace = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, LabelSelectorSpec> _controllerSelectors;
    private readonly Dictionary<string, LabelSelector?> _memo = new(StringComparer.Ordinal);

    /// <param name="services">Services; those without a selector select nothing.</param>
    /// <param name="controllerSelectors">The pod selectors of ReplicaSets, ReplicationControllers and StatefulSets, by uid.</param>
    public SpreadSelectors(IEnumerable<Service> services, IReadOnlyDictionary<string, LabelSelectorSpec> controllerSelectors)
    {
        foreach (var service in services)
        {
            if (service.Spec.Selector is not { } selector)
                continue;
            var ns = service.Metadata.Namespace ?? "";
            if (!_servicesByNamespace.TryGetValue(ns, out var list))
                _servicesByNamespace[ns] = list = [];
            list.Add(selector);
        }
        _controllerSelectors = controllerSelectors;
    }

    /// <summary>The pod's default spreading selector, or null when nothing selects it (no default constraints then).</summary>
    public LabelSelector? For(Pod pod)
    {
        var ns = pod.Metadata.Namespace ?? "";
        var controller = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true)?.Uid ?? "";
        var labels = pod.Metadata.Labels;
        var key = $"{ns}|{controller}|{(labels is null ? "" : string.Join(",", labels.Select(l => $"{l.Key}={l.Value}")))}";
        if (_memo.TryGetValue(key, out var memo))
            return memo;

        var merged = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var selector in _servicesByNamespace.GetValueOrDefault(ns) ?? [])
        {
            if (!selector.All(s => labels is not null && labels.TryGetValue(s.Key, out var v) && v == s.Value))
                continue;
            foreach (var (k, v) in selector)
                merged[k] = v;
        }
        var requirements = LabelSelector.FromLabels(merged).Requirements.ToList();
        if (_controllerSelectors.GetValueOrDefault(controller) is { } owner)
            requirements.AddRange(owner.ToSelector().Requirements);
        var result = requirements.Count == 0 ? null : new LabelSelector([.. requirements.OrderBy(r => r.Key, StringComparer.Ordinal)]);
        _memo[key] = result;
        return result;
    }
}
