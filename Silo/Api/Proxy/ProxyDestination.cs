namespace Granary.Silo.Api.Proxy;

/// <summary>
/// Where a proxied request goes: a pod, by the agent of the node it runs on, at a port number; and the address the
/// pod is known by (POD_IP:PORT), whose absolute redirects are rewritten to the proxy's own prefix.
/// </summary>
internal sealed record ProxyDestination(string Node, string Namespace, string Pod, string Scheme, int Port, string PodAddress)
{
    public string PodHostPort => PodAddress.Contains(':', StringComparison.Ordinal) ? $"[{PodAddress}]:{Port}" : $"{PodAddress}:{Port}";
}
