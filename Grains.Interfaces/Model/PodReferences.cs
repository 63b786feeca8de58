using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// The ConfigMaps, Secrets and PersistentVolumeClaims a pod names (all in its own namespace), each name once in the
/// order first met. The grains use it to tell a node which objects its pods need, the agent to know what to wait for.
/// </summary>
public sealed record PodReferences(
    ImmutableList<string> ConfigMaps,
    ImmutableList<string> Secrets,
    ImmutableList<string> PersistentVolumeClaims)
{
    public static PodReferences Of(PodSpec spec)
    {
        var configMaps = new List<string>();
        var secrets = new List<string>();
        var claims = new List<string>();

        foreach (var container in AllContainers(spec))
        {
            foreach (var env in container.Env ?? [])
            {
                Add(configMaps, env.ValueFrom?.ConfigMapKeyRef?.Name);
                Add(secrets, env.ValueFrom?.SecretKeyRef?.Name);
            }
            foreach (var from in container.EnvFrom ?? [])
            {
                Add(configMaps, from.ConfigMapRef?.Name);
                Add(secrets, from.SecretRef?.Name);
            }
        }
        foreach (var volume in spec.Volumes ?? [])
        {
            Add(configMaps, volume.ConfigMap?.Name);
            Add(secrets, volume.Secret?.SecretName);
            Add(claims, volume.PersistentVolumeClaim?.ClaimName);
            foreach (var source in volume.Projected?.Sources ?? [])
            {
                Add(configMaps, source.ConfigMap?.Name);
                Add(secrets, source.Secret?.Name);
            }
        }
        foreach (var pullSecret in spec.ImagePullSecrets ?? [])
            Add(secrets, pullSecret.Name);

        return new([.. configMaps], [.. secrets], [.. claims]);
    }

    /// <summary>Init containers, containers and ephemeral containers, in that order.</summary>
    public static IEnumerable<Container> AllContainers(PodSpec spec) =>
        (spec.InitContainers ?? []).Concat(spec.Containers ?? []).Concat(spec.EphemeralContainers ?? []);

    public bool IsEmpty => ConfigMaps.IsEmpty && Secrets.IsEmpty && PersistentVolumeClaims.IsEmpty;

    // An empty name is not a reference (validation refuses it); the first occurrence keeps its place.
    private static void Add(List<string> names, string? name)
    {
        if (!string.IsNullOrEmpty(name) && !names.Contains(name, StringComparer.Ordinal))
            names.Add(name);
    }
}
