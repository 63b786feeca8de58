namespace Granary.Model;

/// <summary>
/// A kind with a scale subresource (Deployment, ReplicaSet, StatefulSet): a desired replica count, the count observed, and the
/// selector of its pods. The scale endpoint reads and writes only these.
/// </summary>
public interface IScalable : IResource
{
    /// <summary>spec.replicas, defaulted.</summary>
    int DesiredReplicas { get; }

    /// <summary>status.replicas: the pods observed.</summary>
    int ObservedReplicas { get; }

    LabelSelectorSpec? PodSelector { get; }

    /// <summary>A copy with spec.replicas set.</summary>
    IScalable WithReplicas(int replicas);
}
