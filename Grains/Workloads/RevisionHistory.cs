using System.Globalization;
using Granary.Model;

namespace Granary.Grains.Workloads;

/// <summary>The revision annotation Deployments put on themselves and their ReplicaSets, and the clean-up of old revisions.</summary>
public static class RevisionHistory
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
    public const int DefaultLimit = 10;

    public static long Revision(IResource resource) =>
        resource.Metadata.Annotations?.GetValueOrDefault(RevisionAnnotation) is { } text
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : 0;

    public static string Format(long revision) => revision.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The old ReplicaSets to delete: those with no replicas and no pods left, beyond the newest
    /// <paramref name="limit"/> of them, oldest revision first.
    /// </summary>
    public static IReadOnlyList<ReplicaSet> ToDelete(IEnumerable<ReplicaSet> oldSets, int limit)
    {
        var idle = oldSets
            .Where(rs => (rs.Spec.Replicas ?? 0) == 0 && (rs.Status?.Replicas ?? 0) == 0 && rs.Metadata.DeletionTimestamp is null)
            .OrderBy(Revision).ThenBy(rs => rs.Metadata.CreationTimestamp)
            .ToList();
        return idle.Count <= limit ? [] : idle.Take(idle.Count - limit).ToList();
    }
}
