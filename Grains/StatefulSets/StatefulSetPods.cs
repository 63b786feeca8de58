using System.Collections.Immutable;
using System.Globalization;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Grains.StatefulSets;

/// <summary>
/// The pods and claims a StatefulSet makes for an ordinal (kube's newStatefulSetPod, initIdentity, updateStorage and
/// getPersistentVolumeClaims): the template's pod named "&lt;set&gt;-&lt;ordinal&gt;" with its identity labels, hostname
/// and subdomain, the revision label, and a volume per claim template pointing at "&lt;template&gt;-&lt;set&gt;-&lt;ordinal&gt;".
/// </summary>
public static class StatefulSetPods
{
    /// <summary>The label that names the revision a pod was made from (the ControllerRevision's name).</summary>
    public const string RevisionLabel = "controller-revision-hash";

    public static Pod NewPod(StatefulSet set, PodTemplateSpec template, string revision, int ordinal)
    {
        var setName = set.Metadata.Name!;
        var name = StatefulSetIdentity.PodName(setName, ordinal);
        var labels = (template.Metadata?.Labels ?? ImmutableSortedDictionary<string, string>.Empty)
            .SetItem(StatefulSetIdentity.PodNameLabel, name)
            .SetItem(StatefulSetIdentity.PodIndexLabel, ordinal.ToString(CultureInfo.InvariantCulture))
            .SetItem(RevisionLabel, revision);
        var spec = template.Spec ?? new PodSpec();
        return new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                GenerateName = setName + "-",
                Namespace = set.Metadata.Namespace,
                Labels = labels,
                Annotations = template.Metadata?.Annotations,
                Finalizers = template.Metadata?.Finalizers,
                OwnerReferences = [OwnerReferences.ControllerOf(set)],
            },
            Spec = spec with
            {
                Hostname = name,
                Subdomain = string.IsNullOrEmpty(set.Spec.ServiceName) ? spec.Subdomain : set.Spec.ServiceName,
                Volumes = Volumes(spec.Volumes, (set.Spec.VolumeClaimTemplates ?? [])
                    .Select(t => (t.Metadata.Name ?? "", StatefulSetIdentity.ClaimName(t.Metadata.Name ?? "", setName, ordinal)))),
            },
        };
    }

    /// <summary>A volume per claim first (replacing a template volume of the same name), then the template's others.</summary>
    public static ImmutableList<Volume>? Volumes(ImmutableList<Volume>? templateVolumes, IEnumerable<(string Volume, string Claim)> claims)
    {
        var claimVolumes = claims
            .Select(c => new Volume { Name = c.Volume, PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = c.Claim } })
            .ToImmutableList();
        if (claimVolumes.IsEmpty)
            return templateVolumes;
        var names = claimVolumes.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        return claimVolumes.AddRange((templateVolumes ?? []).Where(v => !names.Contains(v.Name)));
    }

    /// <summary>
    /// The claims of one ordinal, made from the claim templates: the template's labels plus the set's matchLabels, in
    /// the set's namespace, owned as the retention policy says (<see cref="StatefulSetClaims.Owners"/>).
    /// </summary>
    public static ImmutableList<PersistentVolumeClaim> NewClaims(StatefulSet set, int ordinal)
    {
        var setName = set.Metadata.Name!;
        var matchLabels = set.Spec.Selector?.MatchLabels ?? ImmutableSortedDictionary<string, string>.Empty;
        return (set.Spec.VolumeClaimTemplates ?? []).Select(template => new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta
            {
                Name = StatefulSetIdentity.ClaimName(template.Metadata.Name ?? "", setName, ordinal),
                Namespace = set.Metadata.Namespace,
                Labels = (template.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty).SetItems(matchLabels) is { Count: > 0 } labels ? labels : null,
                Annotations = template.Metadata.Annotations,
                OwnerReferences = StatefulSetClaims.Owners(null, set, pod: null, ordinal),
            },
            Spec = template.Spec,
        }).ToImmutableList();
    }
}
