using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' defaults for pod volumes: file modes 0644 (420) for files written from ConfigMaps, Secrets and the
/// downward API, hostPath type "" (no check), fieldRef apiVersion v1.
/// </summary>
/// <remarks>
/// Kubernetes also turns a volume with no source into an emptyDir. Granary does not: its model leaves out the sources
/// it does not implement (nfs, csi, …), so a volume without a source may be one whose source was dropped as an unknown
/// field, and it is refused rather than silently made an empty directory.
/// </remarks>
internal static class VolumeDefaults
{
    public const int DefaultMode = 420;

    public static Volume Volume(Volume volume) => volume with
    {
        HostPath = volume.HostPath is { } hostPath ? hostPath with { Type = hostPath.Type ?? "" } : null,
        ConfigMap = volume.ConfigMap is { } configMap ? configMap with { DefaultMode = configMap.DefaultMode ?? DefaultMode } : null,
        Secret = volume.Secret is { } secret ? secret with { DefaultMode = secret.DefaultMode ?? DefaultMode } : null,
        DownwardAPI = volume.DownwardAPI is { } downward
            ? downward with { DefaultMode = downward.DefaultMode ?? DefaultMode, Items = Files(downward.Items) }
            : null,
        Projected = volume.Projected is { } projected
            ? projected with { DefaultMode = projected.DefaultMode ?? DefaultMode, Sources = projected.Sources?.Select(Projection).ToImmutableList() }
            : null,
    };

    // kube defaults a service account token's lifetime to one hour.
    private static VolumeProjection Projection(VolumeProjection source) => source with
    {
        DownwardAPI = source.DownwardAPI is { } downward ? downward with { Items = Files(downward.Items) } : null,
        ServiceAccountToken = source.ServiceAccountToken is { } token ? token with { ExpirationSeconds = token.ExpirationSeconds ?? 3600 } : null,
    };

    private static ImmutableList<DownwardAPIVolumeFile>? Files(ImmutableList<DownwardAPIVolumeFile>? items) =>
        items?.Select(f => f with { FieldRef = PodDefaults.FieldRef(f.FieldRef), ResourceFieldRef = PodDefaults.ResourceFieldRef(f.ResourceFieldRef) }).ToImmutableList();
}
