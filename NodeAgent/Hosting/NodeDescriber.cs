using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using Granary.Model;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Server;
using Microsoft.Extensions.Options;

namespace Granary.NodeAgent.Hosting;

/// <summary>The Node this agent registers: capacity read from the host, allocatable after reservations, addresses, versions.</summary>
public sealed class NodeDescriber(IContainerRuntime runtime, IOptions<AgentSettings> options, AgentServerEndpoint server, TimeProvider time)
{
    public static readonly string AgentVersion = "v" + (typeof(NodeDescriber).Assembly.GetName().Version?.ToString(3) ?? "0.1.0");

    public async Task<Node> DescribeAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        now = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var cpuMilli = Environment.ProcessorCount * 1000L;
        var memory = HostMemoryBytes();
        var capacity = ImmutableSortedDictionary<string, Quantity>.Empty
            .Add("cpu", Quantity.FromMilli(cpuMilli))
            .Add("memory", Quantity.FromBytes(memory))
            .Add("pods", Quantity.FromCount(settings.MaxPods));
        var allocatable = Allocatable();

        return new Node
        {
            Metadata = new ObjectMeta
            {
                Name = settings.EffectiveNodeName,
                Labels = NodeLabels(settings),
                // The provisioner names each volume's directory under this root when it binds a claim to this node.
                Annotations = ImmutableSortedDictionary<string, string>.Empty.Add(LocalPath.RootAnnotation, Path.GetFullPath(settings.LocalPathRoot)),
            },
            Spec = new NodeSpec { Taints = NodeTaints.Parse(settings.Taints) },
            Status = new NodeStatus
            {
                Capacity = capacity,
                Allocatable = allocatable,
                Conditions =
                [
                    new NodeCondition
                    {
                        Type = "Ready", Status = "True", Reason = "KubeletReady", Message = "granary agent is posting ready status",
                        LastHeartbeatTime = now, LastTransitionTime = now,
                    },
                ],
                Addresses =
                [
                    new NodeAddress { Type = "InternalIP", Address = settings.NodeIp },
                    new NodeAddress { Type = "Hostname", Address = settings.EffectiveNodeName },
                ],
                DaemonEndpoints = new NodeDaemonEndpoints { KubeletEndpoint = new DaemonEndpoint { Port = server.Port ?? 0 } },
                NodeInfo = new NodeSystemInfo
                {
                    KubeletVersion = AgentVersion,
                    ContainerRuntimeVersion = await runtime.VersionAsync(ct),
                    OsImage = OsImage(),
                    KernelVersion = ReadFirstLine("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.VersionString,
                    OperatingSystem = "linux",
                    Architecture = RuntimeInformation.OSArchitecture switch
                    {
                        Architecture.X64 => "amd64",
                        Architecture.Arm64 => "arm64",
                        var a => a.ToString().ToLowerInvariant(),
                    },
                    MachineID = ReadFirstLine("/etc/machine-id"),
                },
            },
        };
    }

    /// <summary>Capacity minus what is reserved: what pods may use, and what a container without limits sees through the downward API.</summary>
    public ImmutableSortedDictionary<string, Quantity> Allocatable()
    {
        var settings = options.Value;
        var cpuMilli = Environment.ProcessorCount * 1000L;
        return ImmutableSortedDictionary<string, Quantity>.Empty
            .Add("cpu", Quantity.FromMilli(Math.Max(0, cpuMilli - Quantity.Parse(settings.ReservedCpu).MilliValue)))
            .Add("memory", Quantity.FromBytes(Math.Max(0, HostMemoryBytes() - Quantity.Parse(settings.ReservedMemory).Value)))
            .Add("pods", Quantity.FromCount(settings.MaxPods));
    }

    private static ImmutableSortedDictionary<string, string> NodeLabels(AgentSettings settings)
    {
        var labels = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        labels["kubernetes.io/hostname"] = settings.EffectiveNodeName;
        labels["kubernetes.io/os"] = "linux";
        labels["kubernetes.io/arch"] = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64";
        foreach (var pair in (settings.Labels ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new FormatException($"--labels: \"{pair}\" is not key=value");
            labels[pair[..eq]] = pair[(eq + 1)..];
        }
        return labels.ToImmutable();
    }

    /// <summary>MemTotal from /proc/meminfo, in bytes.</summary>
    private static long HostMemoryBytes()
    {
        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return kb is null ? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes : long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
    }

    private static string OsImage()
    {
        var pretty = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
            : null;
        return pretty is null ? RuntimeInformation.OSDescription : pretty["PRETTY_NAME=".Length..].Trim('"');
    }

    private static string? ReadFirstLine(string path) => File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;
}

/// <summary>Parses "key=value:Effect,key:Effect" into taints.</summary>
public static class NodeTaints
{
    public static ImmutableList<Taint>? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t =>
        {
            var colon = t.LastIndexOf(':');
            if (colon <= 0)
                throw new FormatException($"--taints: \"{t}\" is not key[=value]:Effect (Effect is NoSchedule, PreferNoSchedule or NoExecute)");
            var kv = t[..colon];
            var eq = kv.IndexOf('=', StringComparison.Ordinal);
            return new Taint
            {
                Key = eq < 0 ? kv : kv[..eq],
                Value = eq < 0 ? null : kv[(eq + 1)..],
                Effect = t[(colon + 1)..],
            };
        })];
    }
}
