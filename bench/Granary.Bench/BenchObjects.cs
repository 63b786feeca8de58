using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;
using Granary.NodeAgent.Runtime.Docker;

namespace Granary.Bench;

/// <summary>The nodes and pods the benchmark creates, and their names.</summary>
internal static class BenchObjects
{
    public const string Namespace = "default";
    public const string NodePrefix = "bench-node-";
    public const string PodPrefix = "bench-pod-";

    private static readonly ImmutableSortedDictionary<string, Quantity> NodeResources = ImmutableSortedDictionary.CreateRange(
        StringComparer.Ordinal,
        [
            new KeyValuePair<string, Quantity>("cpu", new Quantity("32")),
            new KeyValuePair<string, Quantity>("memory", new Quantity("128Gi")),
            new KeyValuePair<string, Quantity>("pods", Quantity.FromCount(ControlPlaneOptions.PodsPerNode)),
        ]);

    private static readonly ImmutableSortedDictionary<string, Quantity> PodRequests = ImmutableSortedDictionary.CreateRange(
        StringComparer.Ordinal,
        [
            new KeyValuePair<string, Quantity>("cpu", new Quantity("100m")),
            new KeyValuePair<string, Quantity>("memory", new Quantity("64Mi")),
        ]);

    private static readonly ImmutableSortedDictionary<string, string> Labels =
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [new KeyValuePair<string, string>("app", "granary-bench")]);

    private static readonly PodSpec PodSpec = new()
    {
        Containers = [new Container { Name = "main", Image = BusyboxImage.Name, Resources = new ResourceRequirements { Requests = PodRequests } }],
    };

    /// <summary>What every pod-startup container runs, in a pod or straight on the engine: it idles until removed.</summary>
    public static readonly ImmutableList<string> SleepCommand = ["sleep", "3600"];

    // No requests: one node of 2 cores would otherwise hold only 20 pods of 100m.
    private static readonly PodSpec SleepingPodSpec = new()
    {
        Containers = [new Container { Name = "main", Image = BusyboxImage.Name, Command = SleepCommand }],
    };

    /// <summary>A name with the index zero-padded to at least <paramref name="minDigits"/> and to the width of the largest index.</summary>
    public static string Name(string prefix, int index, int count, int minDigits) =>
        prefix + index.ToString(CultureInfo.InvariantCulture).PadLeft(Math.Max(minDigits, (count - 1).ToString(CultureInfo.InvariantCulture).Length), '0');

    public static string NodeName(int index, int count) => Name(NodePrefix, index, count, 4);

    public static string PodName(int index, int count) => Name(PodPrefix, index, count, 5);

    /// <summary>The index in a benchmark pod's name, or -1 for any other pod.</summary>
    public static int PodIndex(string? name) =>
        name is not null && name.StartsWith(PodPrefix, StringComparison.Ordinal)
        && int.TryParse(name.AsSpan(PodPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : -1;

    /// <summary>A Ready node as an agent registers it: 32 cpu, 128Gi memory, room for 110 pods.</summary>
    public static Node Node(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, Labels = Labels.Add("kubernetes.io/hostname", name) },
        Status = new NodeStatus
        {
            Capacity = NodeResources,
            Allocatable = NodeResources,
            Conditions = [new NodeCondition { Type = "Ready", Status = "True", Reason = "BenchmarkNode", Message = "registered by the control-plane benchmark" }],
        },
    };

    /// <summary>A pod with one busybox container running <see cref="SleepCommand"/>, without requests or limits.</summary>
    public static Pod SleepingPod(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = Namespace, Labels = Labels },
        Spec = SleepingPodSpec,
    };

    /// <summary>A pending pod with one container asking for 100m cpu and 64Mi memory.</summary>
    public static Pod Pod(string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = Namespace, Labels = Labels },
        Spec = PodSpec,
    };
}
