using Granary.Model;
using Granary.Selectors;

namespace Granary.Grains.Caching;

/// <summary>What a list or watch asks for: a namespace (or all), a label selector and a field selector.</summary>
public sealed record ObjectFilter(string? Namespace, LabelSelector Labels, FieldSelector Fields)
{
    public static readonly ObjectFilter Everything = new(null, LabelSelector.Everything, FieldSelector.Everything);

    public static ObjectFilter Parse(string? @namespace, string? labelSelector, string? fieldSelector) =>
        new(string.IsNullOrEmpty(@namespace) ? null : @namespace, LabelSelector.Parse(labelSelector), FieldSelector.Parse(fieldSelector));

    public bool Matches(IResource? resource) =>
        resource is not null
        && (Namespace is null || resource.Metadata.Namespace == Namespace)
        && Labels.Matches(resource.Metadata.Labels)
        && Fields.Matches(resource);
}
