using System.Collections.Immutable;
using Granary.Api;
using Granary.Grains.Nodes;
using Granary.Model;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.Nodes;

/// <summary>
/// Nodes, leases and pods on a fake clock, for the lifecycle planner: <see cref="Pass"/> plans and applies the plan as
/// the grain would (conditions, taints, pods not ready, evicted pods gone), so a test can step through a node's loss.
/// </summary>
internal sealed class LifecycleWorld
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Start);
    public NodeLifecycleOptions Options { get; } = new();
    public Dictionary<string, Node> Nodes { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, NodeLeaseInfo> Leases { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Pod> Pods { get; } = new(StringComparer.Ordinal);
    public DateTimeOffset MonitorStart { get; set; } = Start;
    public ImmutableDictionary<string, DateTimeOffset> LastTainted { get; private set; } = ImmutableDictionary<string, DateTimeOffset>.Empty;
    public List<string> Evicted { get; } = [];

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>A registered node whose agent posts Ready and has just renewed its lease.</summary>
    public LifecycleWorld Node(string name, string? zone = null, bool leased = true, string ready = "True")
    {
        Nodes[name] = new Node
        {
            Metadata = new ObjectMeta { Name = name, CreationTimestamp = Now, Labels = zone is null ? null : ImmutableSortedDictionary<string, string>.Empty.Add(NodeTaints.ZoneLabel, zone) },
            Status = new NodeStatus { Conditions = [new NodeCondition { Type = "Ready", Status = ready, Reason = "KubeletReady", LastTransitionTime = Now }] },
        };
        if (leased)
            Leases[name] = new NodeLeaseInfo(name, Now, TimeSpan.FromSeconds(8));
        return this;
    }

    /// <summary>A node created by hand (kubectl create): no status, no lease.</summary>
    public LifecycleWorld BareNode(string name)
    {
        Nodes[name] = new Node { Metadata = new ObjectMeta { Name = name, CreationTimestamp = Now } };
        return this;
    }

    /// <summary>The agent renews: the lease is fresh, and (as the node grain does) Ready is True again.</summary>
    public LifecycleWorld Renew(string name, TimeSpan? duration = null)
    {
        Leases[name] = new NodeLeaseInfo(name, Now, duration ?? TimeSpan.FromSeconds(8));
        var node = Nodes[name];
        if (Ready(name) != "True")
            Nodes[name] = node with { Status = node.Status! with { Conditions = [new NodeCondition { Type = "Ready", Status = "True", Reason = "KubeletReady", LastTransitionTime = Now }] } };
        return this;
    }

    public LifecycleWorld Pod(string name, string node, ImmutableList<Toleration>? tolerations = null, bool ready = true)
    {
        Pods[name] = new Pod
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default", Uid = $"uid-{name}" },
            Spec = new PodSpec { NodeName = node, Tolerations = tolerations },
            Status = new PodStatus
            {
                Phase = "Running",
                Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False", Reason = null, LastTransitionTime = Start }],
            },
        };
        return this;
    }

    public void Advance(TimeSpan by) => Clock.Advance(by);

    public NodeLifecyclePlan Plan() => NodeLifecyclePlanner.Plan(new NodeLifecycleInput
    {
        Nodes = [.. Nodes.Values],
        Leases = Leases,
        PodsOn = node => [.. Pods.Values.Where(p => p.Spec.NodeName == node)],
        Now = Now,
        MonitorStart = MonitorStart,
        LastTaintedByZone = LastTainted,
        Options = Options,
    });

    /// <summary>Plans and applies the plan, as the grain writes it.</summary>
    public NodeLifecyclePlan Pass()
    {
        var plan = Plan();
        foreach (var change in plan.Nodes)
            Nodes[change.After.Metadata.Name!] = change.After;
        foreach (var pod in plan.PodsNotReady)
            Pods[pod.Metadata.Name!] = pod;
        foreach (var eviction in plan.Evictions)
        {
            Pods.Remove(eviction.Pod.Metadata.Name!);
            Evicted.Add(eviction.Pod.Metadata.Name!);
        }
        LastTainted = plan.LastTaintedByZone;
        return plan;
    }

    public string? Ready(string node) => Condition(node, "Ready")?.Status;

    public NodeCondition? Condition(string node, string type) => Nodes[node].Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>The node's taints as "key:Effect" (sorted).</summary>
    public string[] Taints(string node) => [.. (Nodes[node].Spec.Taints ?? []).Select(t => $"{t.Key}:{t.Effect}").Order(StringComparer.Ordinal)];

    public string? PodReady(string pod) => Pods[pod].Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status;

    public static ImmutableList<Toleration> Tolerate(string key, long? seconds) =>
        [new Toleration { Key = key, Operator = "Exists", Effect = NodeTaints.NoExecute, TolerationSeconds = seconds }];

    /// <summary>The tolerations the DefaultTolerationSeconds admission gives a pod that sets none.</summary>
    public static ImmutableList<Toleration> Defaults(long seconds = 15) =>
        [.. Tolerate(NodeTaints.NotReady, seconds), .. Tolerate(NodeTaints.Unreachable, seconds)];
}
