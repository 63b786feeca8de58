using System.Globalization;
using Granary.Api;
using Granary.Errors;
using Granary.Model;

namespace Granary.Silo.Api.Proxy;

/// <summary>
/// pods/proxy: the pod named by <c>[scheme:]name[:port]</c>, the agent that runs it and the port. Without a port, the
/// first declared container port (as kube-apiserver), else the scheme's default; a port name is a container port's
/// name. A pod that cannot be reached yet (not scheduled, no address, finished) is a 503 saying why.
/// </summary>
internal static class PodProxyResolver
{
    public static async Task<ProxyDestination> ResolveAsync(IGrainFactory grains, string @namespace, string id)
    {
        var target = ProxyTargetId.Parse(id)
            ?? throw new BadRequestException($"invalid pod request \"{id}\": expected [scheme:]name[:port], the scheme http or https");
        var pod = (Pod)await ResourceGrains.GetAsync(grains, ResourceKinds.Pod, ResourceKinds.Pod.KeyOf(@namespace, target.Name));
        var port = PortOf(pod, target);
        return Reachable(pod, target.Scheme, port);
    }

    /// <summary>The pod as a destination, or a 503 naming why it cannot be reached now.</summary>
    public static ProxyDestination Reachable(Pod pod, string scheme, int port)
    {
        var name = $"{pod.Metadata.Namespace}/{pod.Metadata.Name}";
        if (string.IsNullOrEmpty(pod.Spec.NodeName))
            throw new ServiceUnavailableException($"pod {name} is not scheduled to a node yet: it cannot be proxied until it runs");
        if (pod.Status?.Phase is "Succeeded" or "Failed")
            throw new ServiceUnavailableException($"pod {name} is not running (phase {pod.Status.Phase}): nothing listens on its address");
        if (string.IsNullOrEmpty(pod.Status?.PodIP))
            throw new ServiceUnavailableException($"pod {name} has no IP address yet (phase {pod.Status?.Phase ?? "Pending"}): wait until it runs");
        return new ProxyDestination(pod.Spec.NodeName, pod.Metadata.Namespace ?? "default", pod.Metadata.Name ?? "", scheme, port, pod.Status.PodIP);
    }

    private static int PortOf(Pod pod, ProxyTargetId target)
    {
        var declared = (pod.Spec.Containers ?? []).SelectMany(c => c.Ports ?? []).ToList();
        if (target.Port.Length == 0)
            return declared.Count > 0 ? declared[0].Number : target.Scheme == "https" ? 443 : 80;
        if (int.TryParse(target.Port, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number is > 0 and <= 65535
                ? number
                : throw new BadRequestException($"invalid port {target.Port} in pod request \"{target.Name}:{target.Port}\": a port is a number from 1 to 65535 or a container port's name");
        }
        return declared.FirstOrDefault(p => p.Name == target.Port)?.Number
            ?? throw new BadRequestException(
                $"pod {pod.Metadata.Namespace}/{pod.Metadata.Name} has no container port named \"{target.Port}\": use a port number or one of its port names ({Names(declared)})");
    }

    private static string Names(List<ContainerPort> ports) =>
        ports.Any(p => !string.IsNullOrEmpty(p.Name)) ? string.Join(", ", ports.Where(p => !string.IsNullOrEmpty(p.Name)).Select(p => p.Name)) : "it names none";
}
