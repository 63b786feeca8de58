using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Tests.Unit.Cli;

/// <summary>Objects for the CLI tests, at fixed times relative to <see cref="Now"/>.</summary>
internal static class CliObjects
{
    public static readonly DateTimeOffset Now = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static ImmutableSortedDictionary<string, string> Map(params (string Key, string Value)[] pairs) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, pairs.Select(p => KeyValuePair.Create(p.Key, p.Value)));

    public static ImmutableSortedDictionary<string, Quantity> Resources(params (string Key, string Value)[] pairs) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, pairs.Select(p => KeyValuePair.Create(p.Key, new Quantity(p.Value))));

    public static Pod Pod(string name, string? ns = "default", int containers = 1, TimeSpan? age = null, PodStatus? status = null, string? node = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns, CreationTimestamp = Now - (age ?? TimeSpan.FromMinutes(5)) },
        Spec = new PodSpec
        {
            NodeName = node,
            Containers = [.. Enumerable.Range(0, containers).Select(i => new Container { Name = $"c{i}", Image = "busybox" })],
        },
        Status = status,
    };

    public static ContainerStatus Running(string name, bool ready = true, int restarts = 0) => new()
    {
        Name = name,
        Ready = ready,
        RestartCount = restarts,
        State = new ContainerState { Running = new ContainerStateRunning { StartedAt = Now - TimeSpan.FromMinutes(4) } },
    };

    public static ContainerStatus Waiting(string name, string reason, int restarts = 0) => new()
    {
        Name = name,
        RestartCount = restarts,
        State = new ContainerState { Waiting = new ContainerStateWaiting { Reason = reason } },
    };

    public static ContainerStatus Terminated(string name, int exitCode, string? reason = null, int? signal = null) => new()
    {
        Name = name,
        State = new ContainerState { Terminated = new ContainerStateTerminated { ExitCode = exitCode, Reason = reason, Signal = signal } },
    };

    public static Node Node(string name, string? ready = "True", bool unschedulable = false, ImmutableSortedDictionary<string, string>? labels = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, CreationTimestamp = Now - TimeSpan.FromDays(3), Labels = labels },
        Spec = new NodeSpec { Unschedulable = unschedulable ? true : null },
        Status = new NodeStatus
        {
            Conditions = ready is null ? null : [new NodeCondition { Type = "Ready", Status = ready }],
            Addresses = [new NodeAddress { Type = "InternalIP", Address = "127.0.0.11" }, new NodeAddress { Type = "Hostname", Address = name }],
            NodeInfo = new NodeSystemInfo { KubeletVersion = "v1.30.0-granary", OsImage = "Debian GNU/Linux 12", KernelVersion = "6.1.0", ContainerRuntimeVersion = "docker://24.0.5" },
        },
    };

    public static Namespace Namespace(string name, string phase = "Active") => new()
    {
        Metadata = new ObjectMeta { Name = name, CreationTimestamp = Now - TimeSpan.FromHours(5) },
        Status = new NamespaceStatus { Phase = phase },
    };
}
