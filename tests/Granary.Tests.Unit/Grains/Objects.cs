using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Tests.Unit.Grains;

/// <summary>Small builders for test objects.</summary>
public static class Objects
{
    /// <summary>
    /// The default scheduler leaves pods naming another scheduler alone, so its status writes (Unschedulable)
    /// do not race with a test's own updates. Scheduling tests pass null to get the default scheduler.
    /// </summary>
    public const string NotScheduled = "test-manual";

    public static Namespace Namespace(string name) => new() { Metadata = new ObjectMeta { Name = name } };

    public static Pod Pod(string ns, string name, string image = "local/busybox:1", string? cpu = null, string? memory = null,
        ImmutableSortedDictionary<string, string>? labels = null, ImmutableSortedDictionary<string, string>? nodeSelector = null,
        string? schedulerName = NotScheduled)
    {
        var requests = ImmutableSortedDictionary<string, Quantity>.Empty;
        if (cpu is not null)
            requests = requests.Add("cpu", new Quantity(cpu));
        if (memory is not null)
            requests = requests.Add("memory", new Quantity(memory));
        return new Pod
        {
            Metadata = new ObjectMeta { Name = name, Namespace = ns, Labels = labels },
            Spec = new PodSpec
            {
                SchedulerName = schedulerName,
                NodeSelector = nodeSelector,
                Containers = [new Container
                {
                    Name = "main",
                    Image = image,
                    Command = ["sleep", "3600"],
                    Resources = requests.IsEmpty ? null : new ResourceRequirements { Requests = requests },
                }],
            },
        };
    }

    public static Node Node(string name, string cpu = "4", string memory = "8Gi", int pods = 110, bool ready = true,
        ImmutableSortedDictionary<string, string>? labels = null, ImmutableList<Taint>? taints = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Labels = labels },
        Spec = new NodeSpec { Taints = taints },
        Status = new NodeStatus
        {
            Capacity = ImmutableSortedDictionary<string, Quantity>.Empty
                .Add("cpu", new Quantity(cpu)).Add("memory", new Quantity(memory)).Add("pods", Quantity.FromCount(pods)),
            Conditions = [new NodeCondition { Type = "Ready", Status = ready ? "True" : "False" }],
        },
    };

    public static ImmutableSortedDictionary<string, string> Labels(params (string Key, string Value)[] labels) =>
        labels.ToImmutableSortedDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
}
