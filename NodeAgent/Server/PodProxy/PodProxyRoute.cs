using System.Globalization;

namespace Granary.NodeAgent.Server.PodProxy;

/// <summary>
/// The agent's pod proxy address, shared by the silo that dials it and the agent that serves it:
/// <c>/podProxy/{namespace}/{pod}/{[scheme:]port}/{path}</c>. The silo has already resolved names (a container
/// port's name, a Service's port) to a number, so the agent only checks that it runs the pod and dials its address.
/// </summary>
public static class PodProxyRoute
{
    public const string Template = "/podProxy/{namespace}/{pod}/{port}/{**path}";

    /// <summary>The path and query on the agent's server that reaches <paramref name="path"/> of the pod.</summary>
    /// <param name="path">The path on the pod, already escaped (as a URI path), with or without its leading slash.</param>
    /// <param name="query">The query string with its "?", or empty.</param>
    public static string PathAndQuery(string @namespace, string pod, string scheme, int port, string path, string query)
    {
        var portSegment = scheme == "http" ? port.ToString(CultureInfo.InvariantCulture) : $"{scheme}:{port.ToString(CultureInfo.InvariantCulture)}";
        return $"/podProxy/{Uri.EscapeDataString(@namespace)}/{Uri.EscapeDataString(pod)}/{Uri.EscapeDataString(portSegment)}/{path.TrimStart('/')}{query}";
    }

    /// <summary>Reads a port segment ("8080" or "https:8443"); false when it is neither.</summary>
    public static bool TryParsePort(string segment, out string scheme, out int port)
    {
        scheme = "http";
        var colon = segment.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            scheme = segment[..colon];
            segment = segment[(colon + 1)..];
        }
        var isNumber = int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out port);
        return scheme is "http" or "https" && isNumber && port is > 0 and <= 65535;
    }

    /// <summary>
    /// What follows the first <paramref name="segments"/> segments of the request's path, as the client escaped it
    /// (the raw request target, so an escaped "/" or "?" in the pod's path is passed on as sent), without the query.
    /// </summary>
    public static string RawPathAfter(string rawTarget, int segments)
    {
        var end = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = end < 0 ? rawTarget : rawTarget[..end];
        var at = 0;
        for (var i = 0; i < segments && at >= 0; i++)
            at = path.IndexOf('/', at + 1);
        return at < 0 ? "" : path[at..];
    }
}
