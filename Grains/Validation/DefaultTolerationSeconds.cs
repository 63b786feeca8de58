using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// kube's DefaultTolerationSeconds admission plugin: a pod that does not tolerate not-ready:NoExecute or
/// unreachable:NoExecute gets a toleration for it with the silo's seconds, so it leaves a lost node after that long
/// (and not at once, as an untolerated taint would have it). Idempotent, so it runs with the pod's defaults on every
/// write and a re-applied manifest keeps the tolerations it was given.
/// </summary>
public static class DefaultTolerationSeconds
{
    public static Pod Apply(Pod pod, long notReadySeconds, long unreachableSeconds)
    {
        var tolerations = pod.Spec.Tolerations ?? [];
        var added = tolerations;
        if (!tolerations.Any(t => Covers(t, NodeTaints.NotReady)))
            added = added.Add(new Toleration { Key = NodeTaints.NotReady, Operator = "Exists", Effect = NodeTaints.NoExecute, TolerationSeconds = notReadySeconds });
        if (!tolerations.Any(t => Covers(t, NodeTaints.Unreachable)))
            added = added.Add(new Toleration { Key = NodeTaints.Unreachable, Operator = "Exists", Effect = NodeTaints.NoExecute, TolerationSeconds = unreachableSeconds });
        return ReferenceEquals(added, tolerations) ? pod : pod with { Spec = pod.Spec with { Tolerations = added } };
    }

    // kube's test: the key matches (or is empty) and the effect is NoExecute (or empty); operator and value are not looked at.
    private static bool Covers(Toleration toleration, string key) =>
        (string.IsNullOrEmpty(toleration.Key) || toleration.Key == key)
        && (string.IsNullOrEmpty(toleration.Effect) || toleration.Effect == NodeTaints.NoExecute);
}
