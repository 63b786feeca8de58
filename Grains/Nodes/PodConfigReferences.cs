using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Nodes;

/// <summary>The ConfigMaps and Secrets that some pods (of one namespace) reference, by name (<see cref="PodReferences"/>).</summary>
internal sealed record PodConfigReferences(ImmutableHashSet<string> ConfigMaps, ImmutableHashSet<string> Secrets)
{
    public static PodConfigReferences Of(IEnumerable<Pod> pods)
    {
        var configMaps = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var secrets = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var references = PodReferences.Of(pod.Spec);
            configMaps.UnionWith(references.ConfigMaps);
            secrets.UnionWith(references.Secrets);
        }
        return new(configMaps.ToImmutable(), secrets.ToImmutable());
    }

    /// <summary>Whether <paramref name="pod"/> references the object of <paramref name="kind"/> named <paramref name="name"/>.</summary>
    public static bool References(Pod pod, ResourceKind kind, string name)
    {
        var references = PodReferences.Of(pod.Spec);
        return kind == ResourceKinds.ConfigMap ? references.ConfigMaps.Contains(name) : kind == ResourceKinds.Secret && references.Secrets.Contains(name);
    }
}
