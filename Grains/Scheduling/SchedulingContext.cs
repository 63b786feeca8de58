namespace Granary.Grains.Scheduling;

/// <summary>
/// What the topology plugins need beyond nodes and pods: namespace labels (for affinity terms' namespaceSelector)
/// and the default spreading selectors (Services and controllers).
/// </summary>
public sealed record SchedulingContext(
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels, SpreadSelectors DefaultSpreading)
{
    public static readonly SchedulingContext Empty = new(new Dictionary<string, IReadOnlyDictionary<string, string>>(), SpreadSelectors.None);
}
