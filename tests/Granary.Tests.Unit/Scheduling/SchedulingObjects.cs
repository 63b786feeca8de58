using System.Collections.Immutable;
using Granary.Grains.Scheduling;
using Granary.Model;

namespace Granary.Tests.Unit.Scheduling;

/// <summary>Small builders for the nodes and pods the scheduling tests need; only what the planner reads is set.</summary>
internal static class SchedulingObjects
{
    public static readonly DateTimeOffset Epoch = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Node Node(
        string name,
        string? cpu = "4",
        string? memory = "8Gi",
        string? pods = null,
        bool ready = true,
        bool unschedulable = false,
        ImmutableList<Taint>? taints = null,
        ImmutableSortedDictionary<string, string>? labels = null) => new()
        {
            Metadata = new() { Name = name, Labels = labels },
            Spec = new() { Unschedulable = unschedulable ? true : null, Taints = taints },
            Status = new()
            {
                Allocatable = Resources(cpu, memory, pods),
                Conditions = [new() { Type = "Ready", Status = ready ? "True" : "False" }],
            },
        };

    public static Pod Pod(
        string name,
        string? cpu = null,
        string? memory = null,
        string? nodeName = null,
        string? phase = null,
        int createdSecond = 0,
        string ns = "default",
        ImmutableSortedDictionary<string, string>? nodeSelector = null,
        ImmutableList<Toleration>? tolerations = null,
        ImmutableSortedDictionary<string, string>? labels = null,
        Affinity? affinity = null,
        ImmutableList<TopologySpreadConstraint>? spread = null,
        string? ownerUid = null) => new()
        {
            Metadata = new()
            {
                Name = name, Namespace = ns, Uid = $"uid-{name}", CreationTimestamp = Epoch.AddSeconds(createdSecond), Labels = labels,
                OwnerReferences = ownerUid is null ? null : [new() { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "rs", Uid = ownerUid, Controller = true }],
            },
            Spec = new()
            {
                Containers = [new() { Name = "main", Image = "busybox", Resources = new() { Requests = Resources(cpu, memory, null) } }],
                NodeName = nodeName,
                NodeSelector = nodeSelector,
                Tolerations = tolerations,
                Affinity = affinity,
                TopologySpreadConstraints = spread,
            },
            Status = phase is null ? null : new() { Phase = phase },
        };

    /// <summary>A node with kube's hostname label and, when given, a zone.</summary>
    public static Node ZonedNode(string name, string? zone = null, string cpu = "4", ImmutableSortedDictionary<string, string>? extra = null)
    {
        var labels = (extra ?? ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal))
            .SetItem("kubernetes.io/hostname", name);
        return Node(name, cpu: cpu, labels: zone is null ? labels : labels.SetItem("topology.kubernetes.io/zone", zone));
    }

    /// <summary>A label selector written as <c>k=v,k2=v2</c> (matchLabels).</summary>
    public static LabelSelectorSpec Selects(string matchLabels) => new() { MatchLabels = ParseLabels(matchLabels) };

    public static ImmutableSortedDictionary<string, string> ParseLabels(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('='))
            .ToImmutableSortedDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    public static PodAffinityTerm Term(string matchLabels, string topologyKey = "kubernetes.io/hostname") =>
        new() { LabelSelector = Selects(matchLabels), TopologyKey = topologyKey };

    public static Affinity RequiredAffinity(params PodAffinityTerm[] terms) => new() { PodAffinity = new() { RequiredDuringSchedulingIgnoredDuringExecution = [.. terms] } };

    public static Affinity RequiredAntiAffinity(params PodAffinityTerm[] terms) => new() { PodAntiAffinity = new() { RequiredDuringSchedulingIgnoredDuringExecution = [.. terms] } };

    public static TopologySpreadConstraint Spread(int maxSkew, string topologyKey, string matchLabels, string whenUnsatisfiable = "DoNotSchedule") =>
        new() { MaxSkew = maxSkew, TopologyKey = topologyKey, WhenUnsatisfiable = whenUnsatisfiable, LabelSelector = Selects(matchLabels) };

    /// <summary>Where each assigned pod went, as <c>name=node</c>, in decision order.</summary>
    public static IEnumerable<string> Placed(SchedulingPlan plan) => plan.Assignments.Select(a => $"{a.Name}={a.NodeName}");

    public static ImmutableSortedDictionary<string, string> Labels(params (string Key, string Value)[] labels) =>
        labels.ToImmutableSortedDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

    public static ImmutableSortedDictionary<string, Quantity>? Resources(string? cpu, string? memory, string? pods)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, Quantity>(StringComparer.Ordinal);
        if (cpu is not null)
            builder["cpu"] = new Quantity(cpu);
        if (memory is not null)
            builder["memory"] = new Quantity(memory);
        if (pods is not null)
            builder["pods"] = new Quantity(pods);
        return builder.Count == 0 ? null : builder.ToImmutable();
    }

    public static NodeSnapshot Snapshot(Node node, params Pod[] boundPods) => NodeSnapshot.Build([node], boundPods).Single();
}
