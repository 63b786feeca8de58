using System.Collections.Immutable;
using Granary.Grains.PersistentVolumes;
using Granary.Model;
using Granary.Selectors;

namespace Granary.Grains.Scheduling;

/// <summary>
/// kube-scheduler's VolumeBinding plugin for a pod's PersistentVolumeClaims, pure. <see cref="Of"/> is its PreFilter
/// (a missing or deleted claim, or one that nothing will bind, makes the pod unschedulable on every node);
/// <see cref="Reason"/> its Filter (a bound claim's volume must be reachable from the node; an unbound claim of a
/// WaitForFirstConsumer class must be provisionable there).
/// </summary>
public sealed class PodVolumes
{
    public const string NodeAffinityConflictReason = "node(s) had volume node affinity conflict";
    public const string BindConflictReason = "node(s) didn't find available persistent volumes to bind";
    public const string UnboundImmediateMessage = "pod has unbound immediate PersistentVolumeClaims";

    public static readonly PodVolumes None = new([], [], [], null);

    private PodVolumes(ImmutableArray<NodeSelector> boundAffinities, ImmutableArray<(string Key, string Node)> assumed,
        ImmutableArray<PendingClaim> unbound, string? unresolvable)
    {
        BoundAffinities = boundAffinities;
        Assumed = assumed;
        Unbound = unbound;
        Unresolvable = unresolvable;
    }

    /// <summary>The node affinities of the volumes the pod's bound claims use.</summary>
    public ImmutableArray<NodeSelector> BoundAffinities { get; }

    /// <summary>Unbound claims this pass already placed on a node: the pod must go there too.</summary>
    public ImmutableArray<(string Key, string Node)> Assumed { get; }

    /// <summary>Claims to provision on the chosen node before the pod is bound.</summary>
    public ImmutableArray<PendingClaim> Unbound { get; }

    /// <summary>Why no node can take the pod (kube's PreFilter message), or null.</summary>
    public string? Unresolvable { get; }

    public bool IsEmpty => BoundAffinities.IsEmpty && Assumed.IsEmpty && Unbound.IsEmpty && Unresolvable is null;

    public static PodVolumes Of(Pod pod, StorageSnapshot storage)
    {
        var names = PodReferences.Of(pod.Spec).PersistentVolumeClaims;
        if (names.IsEmpty)
            return None;
        var ns = pod.Metadata.Namespace ?? "";
        var bound = ImmutableArray.CreateBuilder<NodeSelector>();
        var assumed = ImmutableArray.CreateBuilder<(string, string)>();
        var unbound = ImmutableArray.CreateBuilder<PendingClaim>();
        foreach (var name in names)
        {
            var key = $"{ns}/{name}";
            if (storage.Claim(key) is not { } claim)
                return Unschedulable($"persistentvolumeclaim \"{name}\" not found");
            if (claim.Metadata.DeletionTimestamp is not null)
                return Unschedulable($"persistentvolumeclaim \"{name}\" is being deleted");
            if (!string.IsNullOrEmpty(claim.Spec.VolumeName))
            {
                if (storage.Volume(claim.Spec.VolumeName) is not { } volume)
                    return Unschedulable($"persistentvolume \"{claim.Spec.VolumeName}\" not found");
                if (volume.Spec.NodeAffinity?.Required is { } required)
                    bound.Add(required);
                continue;
            }
            if (storage.AssumedNode(key) is { } node)
            {
                assumed.Add((key, node));
                continue;
            }
            var storageClass = storage.Class(claim.Spec.StorageClassName);
            if (storageClass?.VolumeBindingMode != VolumeBindingModes.WaitForFirstConsumer)
                return Unschedulable(storageClass is null && !string.IsNullOrEmpty(claim.Spec.StorageClassName)
                    ? $"storageclass.storage.k8s.io \"{claim.Spec.StorageClassName}\" not found"
                    : UnboundImmediateMessage);
            if (LocalPathProvisioner.CannotProvision(claim, storageClass, claim.Spec.StorageClassName) is { } reason)
                return Unschedulable(reason);
            unbound.Add(new PendingClaim(key, claim.Metadata.Uid ?? "", storageClass));
        }
        return new(bound.ToImmutable(), assumed.ToImmutable(), unbound.ToImmutable(), null);
    }

    /// <summary>Why the node cannot serve the pod's claims (kube's Filter reason), or null when it can.</summary>
    public string? Reason(NodeSnapshot node)
    {
        foreach (var affinity in BoundAffinities)
        {
            if (!NodeSelectorMatch.Matches(affinity, node.Name, node.Labels))
                return NodeAffinityConflictReason;
        }
        foreach (var (_, assumedNode) in Assumed)
        {
            if (assumedNode != node.Name)
                return NodeAffinityConflictReason;
        }
        foreach (var claim in Unbound)
        {
            if (!LocalPathProvisioner.AllowsNode(claim.Class, node.Labels))
                return BindConflictReason;
        }
        return null;
    }

    private static PodVolumes Unschedulable(string message) => new([], [], [], message);
}

/// <summary>An unbound claim the scheduler asks to provision on the node it chose, with the uid it saw.</summary>
public sealed record PendingClaim(string Key, string Uid, StorageClass Class);
