using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Granary.Model;
using Granary.NodeAgent.Runtime;
using Granary.Serialization;

namespace Granary.NodeAgent.Pods;

/// <summary>How the agent names and labels the containers it creates, and reads them back.</summary>
public static class ContainerNaming
{
    /// <summary>The pod address given to the pod's containers; adopted containers keep it.</summary>
    public const string PodIpLabel = "io.granary.pod.ip";

    public static string NameOf(Pod pod, Container container, int attempt) =>
        $"granary_{pod.Metadata.Namespace}_{pod.Metadata.Name}_{container.Name}_{pod.Metadata.Uid![..8]}_{attempt}";

    /// <summary>A hash of what makes a container: a change (a new image) means a new container, as the kubelet does.</summary>
    public static string SpecHash(Container container)
    {
        var json = GranaryJson.Serialize(container with { LivenessProbe = null, ReadinessProbe = null, StartupProbe = null });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
    }

    public static Dictionary<string, string> LabelsOf(string node, Pod pod, Container container, int attempt, string podIp) => new()
    {
        [ContainerLabels.ManagedBy] = ContainerLabels.ManagedByValue,
        [ContainerLabels.Node] = node,
        [ContainerLabels.PodUid] = pod.Metadata.Uid!,
        [ContainerLabels.PodNamespace] = pod.Metadata.Namespace!,
        [ContainerLabels.PodName] = pod.Metadata.Name!,
        [ContainerLabels.Container] = container.Name,
        [ContainerLabels.Attempt] = attempt.ToString(CultureInfo.InvariantCulture),
        [ContainerLabels.SpecHash] = SpecHash(container),
        [PodIpLabel] = podIp,
    };

    /// <summary>The labels that select every container this agent manages for <paramref name="node"/>.</summary>
    public static Dictionary<string, string> NodeSelector(string node) => new()
    {
        [ContainerLabels.ManagedBy] = ContainerLabels.ManagedByValue,
        [ContainerLabels.Node] = node,
    };

    public static int AttemptOf(ContainerInfo c) =>
        c.Labels.TryGetValue(ContainerLabels.Attempt, out var a) && int.TryParse(a, CultureInfo.InvariantCulture, out var n) ? n : 0;

    public static string? Label(ContainerInfo c, string key) => c.Labels.GetValueOrDefault(key);
}
