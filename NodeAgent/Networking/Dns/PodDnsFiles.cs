using Granary.Model;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.Runtime;
using Microsoft.Extensions.Options;

namespace Granary.NodeAgent.Networking.Dns;

/// <summary>
/// Writes each pod's resolv.conf (under the state directory, pods/&lt;uid&gt;/resolv.conf, so it goes with the pod's
/// directory) and mounts it at /etc/resolv.conf in every container, as the kubelet does. The host's file is read
/// afresh for every pod, so a changed host configuration reaches new pods. A driver without mounts (host processes)
/// gets nothing: its processes read the host's /etc/resolv.conf.
/// </summary>
public sealed class PodDnsFiles(IContainerRuntime runtime, ClusterDnsStatus status, IOptions<AgentSettings> settings)
{
    public const string ContainerPath = "/etc/resolv.conf";

    /// <summary>The pod's resolv.conf, written; the mount for a container (none without mounts) and the warnings to report once.</summary>
    public (IReadOnlyList<Runtime.VolumeMount> Mounts, PodDnsPlan Plan) Prepare(Pod pod)
    {
        var plan = PodResolvConf.Plan(pod, HostDnsConfig.Read(settings.Value.ResolvConf), status.Nameserver, settings.Value.ClusterDomain, status.Problem);
        if (!runtime.IsolatesContainers)
            return ([], plan);
        var file = Path.Combine(Path.GetFullPath(settings.Value.StateDir), "pods", pod.Metadata.Uid!, "resolv.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var text = plan.Render();
        // Containers of the pod may be reading it: replace it whole, never rewrite it in place.
        if (!File.Exists(file) || File.ReadAllText(file) != text)
        {
            var temporary = file + ".tmp";
            File.WriteAllText(temporary, text);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temporary, (UnixFileMode)0b110_100_100);
            File.Move(temporary, file, overwrite: true);
        }
        return ([new Runtime.VolumeMount(file, ContainerPath, ReadOnly: false)], plan);
    }
}
