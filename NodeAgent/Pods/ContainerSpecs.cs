using Granary.Model;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Pods;

/// <summary>
/// Turns a pod's container into what the engine creates: command and args with <c>$(VAR)</c> expanded from the
/// resolved environment (as the kubelet does), env, limits, mounts, security, labels. Pure.
/// </summary>
public static class ContainerSpecs
{
    public static ContainerSpec Build(string node, Pod pod, Container container, int attempt, string podIp, IReadOnlyDictionary<string, string> env,
        IReadOnlyList<Runtime.VolumeMount> mounts, ContainerSecurity security) => new()
    {
        Name = ContainerNaming.NameOf(pod, container, attempt),
        Image = container.Image ?? "",
        Command = container.Command is { Count: > 0 } command ? EnvExpansion.ExpandAll(command, env) : null,
        Args = container.Args is { Count: > 0 } args ? EnvExpansion.ExpandAll(args, env) : null,
        Env = env,
        WorkingDir = container.WorkingDir,
        MemoryLimitBytes = container.Resources?.Limits?.GetValueOrDefault("memory") is { Text: not null } memory ? memory.Value : null,
        CpuLimitMilli = container.Resources?.Limits?.GetValueOrDefault("cpu") is { Text: not null } cpu ? cpu.MilliValue : null,
        Labels = ContainerNaming.LabelsOf(node, pod, container, attempt, podIp),
        Mounts = mounts,
        Security = security,
        OpenStdin = container.Stdin == true,
        StdinOnce = container.Stdin == true && container.StdinOnce == true,
        Tty = container.Tty == true,
    };
}
