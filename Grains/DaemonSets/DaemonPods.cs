using System.Collections.Immutable;
using Granary.Grains.Scheduling;
using Granary.Grains.Workloads;
using Granary.Model;
using Granary.Selectors;

namespace Granary.Grains.DaemonSets;

/// <summary>
/// Which nodes a DaemonSet's pod belongs on, and the pod it makes for a node, as kube's daemon controller decides
/// (NodeShouldRunDaemonPod, NewPod, ReplaceDaemonSetPodNodeNameNodeAffinity): the node must satisfy the template's
/// nodeSelector and required node affinity and the pod must tolerate its NoSchedule and NoExecute taints, with the
/// tolerations every daemon pod gets. The pod names its node by node affinity, so the scheduler binds it.
/// </summary>
public static class DaemonPods
{
    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";
    public const string DiskPressureTaint = "node.kubernetes.io/disk-pressure";
    public const string MemoryPressureTaint = "node.kubernetes.io/memory-pressure";
    public const string PidPressureTaint = "node.kubernetes.io/pid-pressure";
    public const string UnschedulableTaint = "node.kubernetes.io/unschedulable";
    public const string NetworkUnavailableTaint = "node.kubernetes.io/network-unavailable";
    public const string NodeNameField = "metadata.name";

    /// <summary>
    /// Whether a new daemon pod should go to the node, and whether one already there may stay (kube's
    /// NodeShouldRunDaemonPod): a pod that tolerates the node's NoExecute taints but not a NoSchedule one keeps running.
    /// </summary>
    public static (bool ShouldRun, bool ShouldContinueRunning) Eligibility(DaemonSet ds, Node node)
    {
        var name = node.Metadata.Name ?? "";
        var spec = WithDaemonTolerations(ds.Spec.Template?.Spec ?? new PodSpec());
        if (!string.IsNullOrEmpty(spec.NodeName) && spec.NodeName != name)
            return (false, false);
        if (!MatchesRequiredAffinity(spec, node))
            return (false, false);
        var tolerations = (spec.Tolerations ?? []).ToArray();
        var taints = node.Spec.Taints ?? [];
        if (taints.All(t => !TaintToleration.Filters(t) || TaintToleration.IsTolerated(t, tolerations)))
            return (true, true);
        return (false, taints.All(t => t.Effect != TaintToleration.NoExecute || TaintToleration.IsTolerated(t, tolerations)));
    }

    /// <summary>
    /// The pod for <paramref name="nodeName"/> (kube's CreatePodTemplate and the node-name affinity): the template with
    /// the daemon tolerations, the revision's hash label, an owner reference to the DaemonSet and a required node
    /// affinity term on <c>metadata.name</c>.
    /// </summary>
    public static Pod NewPod(DaemonSet ds, string hash, string nodeName, string name)
    {
        var template = ds.Spec.Template ?? new PodTemplateSpec();
        var spec = WithDaemonTolerations(template.Spec ?? new PodSpec());
        return new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                GenerateName = ds.Metadata.Name + "-",
                Namespace = ds.Metadata.Namespace,
                Labels = (template.Metadata?.Labels ?? ImmutableSortedDictionary<string, string>.Empty).SetItem(ControllerHistory.HashLabel, hash),
                Annotations = template.Metadata?.Annotations,
                Finalizers = template.Metadata?.Finalizers,
                OwnerReferences = [OwnerReferences.ControllerOf(ds)],
            },
            Spec = spec with { Affinity = WithNodeName(spec.Affinity, nodeName) },
        };
    }

    /// <summary>The node a daemon pod is for: the one it is bound to, or the one its node-name affinity names; null for neither.</summary>
    public static string? TargetNode(Pod pod)
    {
        if (!string.IsNullOrEmpty(pod.Spec.NodeName))
            return pod.Spec.NodeName;
        var terms = pod.Spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms ?? [];
        return terms.SelectMany(t => t.MatchFields ?? [])
            .FirstOrDefault(f => f is { Key: NodeNameField, Operator: "In", Values: [_] })?.Values![0];
    }

    /// <summary>
    /// The spec with kube's daemon tolerations added where missing: not-ready and unreachable (NoExecute, no time
    /// limit, so a daemon pod is never evicted from an unhealthy node), the pressure and unschedulable taints
    /// (NoSchedule), and network-unavailable for host-network pods.
    /// </summary>
    public static PodSpec WithDaemonTolerations(PodSpec spec)
    {
        var tolerations = spec.Tolerations ?? [];
        var wanted = new List<(string Key, string Effect)>
        {
            (NotReadyTaint, TaintToleration.NoExecute),
            (UnreachableTaint, TaintToleration.NoExecute),
            (DiskPressureTaint, TaintToleration.NoSchedule),
            (MemoryPressureTaint, TaintToleration.NoSchedule),
            (PidPressureTaint, TaintToleration.NoSchedule),
            (UnschedulableTaint, TaintToleration.NoSchedule),
        };
        if (spec.HostNetwork == true)
            wanted.Add((NetworkUnavailableTaint, TaintToleration.NoSchedule));
        foreach (var (key, effect) in wanted)
        {
            // kube's AddOrUpdateTolerationInPodSpec replaces a toleration of the same key, operator and effect.
            var toleration = new Toleration { Key = key, Operator = "Exists", Effect = effect };
            var same = tolerations.FindIndex(t => t.Key == key && (t.Operator ?? "Equal") == "Exists" && t.Effect == effect);
            tolerations = same < 0 ? tolerations.Add(toleration) : tolerations.SetItem(same, toleration);
        }
        return spec with { Tolerations = tolerations };
    }

    private static bool MatchesRequiredAffinity(PodSpec spec, Node node)
    {
        var labels = node.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty;
        if (spec.NodeSelector is { } selector && selector.Any(p => !labels.TryGetValue(p.Key, out var v) || v != p.Value))
            return false;
        return spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is not { } required
            || NodeSelectorMatch.Matches(required, node.Metadata.Name ?? "", labels);
    }

    /// <summary>
    /// kube's ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become one term on the node's name (the node
    /// was chosen because it matches them); preferred terms and pod affinity stay.
    /// </summary>
    private static Affinity WithNodeName(Affinity? affinity, string nodeName)
    {
        var term = new NodeSelectorTerm { MatchFields = [new NodeSelectorRequirement { Key = NodeNameField, Operator = "In", Values = [nodeName] }] };
        var nodeAffinity = (affinity?.NodeAffinity ?? new NodeAffinity()) with
        {
            RequiredDuringSchedulingIgnoredDuringExecution = new NodeSelector { NodeSelectorTerms = [term] },
        };
        return (affinity ?? new Affinity()) with { NodeAffinity = nodeAffinity };
    }
}
