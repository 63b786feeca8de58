using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Workloads;

/// <summary>What one ReplicaSet sync does: pods to create, pods to delete, the status to write, and when to look again.</summary>
public sealed record ReplicaSetSync(int ToCreate, IReadOnlyList<Pod> ToDelete, ReplicaSetStatus Status, DateTimeOffset? RecheckAt)
{
    public bool Converged => ToCreate == 0 && ToDelete.Count == 0 && RecheckAt is null;
}

/// <summary>
/// The ReplicaSet controller's decision, without side effects (Kubernetes' syncReplicaSet): compare spec.replicas with
/// the active pods it owns, pick the surplus to delete, and count replicas, fully labeled, ready and available pods.
/// </summary>
public static class ReplicaSetPlanner
{
    /// <summary>At most this many pods are created or deleted in one sync, as kube's burstReplicas.</summary>
    public const int Burst = 500;

    public static ReplicaSetSync Plan(ReplicaSet rs, IReadOnlyList<Pod> ownedActive, DateTimeOffset now)
    {
        var desired = rs.Spec.Replicas ?? 1;
        var diff = ownedActive.Count - desired;
        var toCreate = diff < 0 ? Math.Min(-diff, Burst) : 0;
        var toDelete = diff > 0 ? PodDeletionOrder.First(ownedActive, Math.Min(diff, Burst)) : [];
        return new ReplicaSetSync(toCreate, toDelete, Status(rs, ownedActive, now), RecheckAt(rs, ownedActive, now));
    }

    public static ReplicaSetStatus Status(ReplicaSet rs, IReadOnlyList<Pod> ownedActive, DateTimeOffset now)
    {
        var minReady = rs.Spec.MinReadySeconds ?? 0;
        var templateLabels = rs.Spec.Template?.Metadata?.Labels ?? ImmutableSortedDictionary<string, string>.Empty;
        return new ReplicaSetStatus
        {
            Replicas = ownedActive.Count,
            FullyLabeledReplicas = ownedActive.Count(p => templateLabels.All(l => p.Metadata.Labels?.GetValueOrDefault(l.Key) == l.Value)),
            ReadyReplicas = ownedActive.Count(PodReadiness.IsReady),
            AvailableReplicas = ownedActive.Count(p => PodReadiness.IsAvailable(p, minReady, now)),
            ObservedGeneration = rs.Metadata.Generation,
            Conditions = rs.Status?.Conditions,
        };
    }

    /// <summary>The first time a ready pod becomes available (minReadySeconds), when the status must be written again.</summary>
    private static DateTimeOffset? RecheckAt(ReplicaSet rs, IReadOnlyList<Pod> ownedActive, DateTimeOffset now)
    {
        var minReady = rs.Spec.MinReadySeconds ?? 0;
        if (minReady <= 0)
            return null;
        var pending = ownedActive.Select(p => PodReadiness.AvailableAt(p, minReady)).Where(t => t > now).ToList();
        return pending.Count == 0 ? null : pending.Min();
    }

    /// <summary>
    /// A pod made from the ReplicaSet's template (Kubernetes' GetPodFromTemplate): the template's labels, annotations,
    /// finalizers and spec, and a controller reference to the ReplicaSet.
    /// </summary>
    public static Pod NewPod(ReplicaSet rs, string name) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            GenerateName = rs.Metadata.Name + "-",
            Namespace = rs.Metadata.Namespace,
            Labels = rs.Spec.Template?.Metadata?.Labels,
            Annotations = rs.Spec.Template?.Metadata?.Annotations,
            Finalizers = rs.Spec.Template?.Metadata?.Finalizers,
            OwnerReferences = [OwnerReferences.ControllerOf(rs)],
        },
        Spec = rs.Spec.Template?.Spec ?? new PodSpec(),
    };

    /// <summary>The name of a new pod: the ReplicaSet's name (cut to 58 characters) and 5 random characters, as generateName.</summary>
    public static string NewPodName(string rsName, Random random)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var prefix = rsName.Length > 57 ? rsName[..57] : rsName;
        return string.Create(prefix.Length + 6, (prefix, random), static (span, state) =>
        {
            state.prefix.AsSpan().CopyTo(span);
            span[state.prefix.Length] = '-';
            for (var i = state.prefix.Length + 1; i < span.Length; i++)
                span[i] = alphabet[state.random.Next(alphabet.Length)];
        });
    }
}
