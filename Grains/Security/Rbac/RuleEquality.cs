using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Security.Rbac;

/// <summary>Rules are equal when every list holds the same values in the same order (null and empty alike).</summary>
public static class RuleEquality
{
    public static bool Equal(PolicyRule a, PolicyRule b) =>
        Same(a.Verbs, b.Verbs) && Same(a.ApiGroups, b.ApiGroups) && Same(a.Resources, b.Resources)
        && Same(a.ResourceNames, b.ResourceNames) && Same(a.NonResourceUrls, b.NonResourceUrls);

    private static bool Same(ImmutableList<string>? a, ImmutableList<string>? b) => (a ?? []).SequenceEqual(b ?? [], StringComparer.Ordinal);
}
