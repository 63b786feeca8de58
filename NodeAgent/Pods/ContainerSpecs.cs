using Granary.Model;
using Granary.NodeAgent.Networking;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Pods;

/// <summary>Turns a pod's container into what the engine creates: command, env (with the downward API), limits, labels.</summary>
public static class ContainerSpecs
{
    public static ContainerSpec Build(string node, Pod pod, Container container, int attempt, string podIp, Dictionary<string, string> env) => new()
    {
        Name = ContainerNaming.NameOf(pod, container, attempt),
        Image = container.Image ?? "",
        Command = container.Command is { Count: > 0 } command ? command : null,
        Args = container.Args is { Count: > 0 } args ? args : null,
        Env = env,
        WorkingDir = container.WorkingDir,
        MemoryLimitBytes = container.Resources?.Limits?.GetValueOrDefault("memory") is { Text: not null } memory ? memory.Value : null,
        CpuLimitMilli = container.Resources?.Limits?.GetValueOrDefault("cpu") is { Text: not null } cpu ? cpu.MilliValue : null,
        Labels = ContainerNaming.LabelsOf(node, pod, container, attempt, podIp),
    };

    /// <summary>The container's environment: POD_IP, then its env entries in order (fieldRef values resolved).</summary>
    public static Dictionary<string, string> Environment(Pod pod, Container container, string podIp, string hostIp)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["POD_IP"] = podIp };
        foreach (var e in container.Env ?? [])
        {
            env[e.Name] = e.ValueFrom?.FieldRef is { } field
                ? DownwardApi.Resolve(field, pod, podIp, hostIp)
                : e.Value ?? "";
        }
        return env;
    }
}
