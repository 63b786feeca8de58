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
        ImmutableList<Toleration>? tolerations = null) => new()
        {
            Metadata = new() { Name = name, Namespace = ns, Uid = $"uid-{name}", CreationTimestamp = Epoch.AddSeconds(createdSecond) },
            Spec = new()
            {
                Containers = [new() { Name = "main", Image = "busybox", Resources = new() { Requests = Resources(cpu, memory, null) } }],
                NodeName = nodeName,
                NodeSelector = nodeSelector,
                Tolerations = tolerations,
            },
            Status = phase is null ? null : new() { Phase = phase },
        };

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
