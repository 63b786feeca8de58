namespace Granary.Silo.Api.Proxy;

/// <summary>
/// The name segment of a proxy path, <c>[scheme:]name[:port]</c> (kube's SplitSchemeNamePort): "web",
/// "web:8080", "web:http", "https:web:8443". The scheme is http, https or absent; the port is a number, a port's
/// name or absent.
/// </summary>
internal sealed record ProxyTargetId(string Scheme, string Name, string Port)
{
    public static ProxyTargetId? Parse(string id)
    {
        var parts = id.Split(':');
        var (scheme, name, port) = parts.Length switch
        {
            1 => ("", parts[0], ""),
            2 => ("", parts[0], parts[1]),
            3 => (parts[0], parts[1], parts[2]),
            _ => ("", "", ""),
        };
        return name.Length > 0 && scheme is "" or "http" or "https" ? new ProxyTargetId(scheme.Length == 0 ? "http" : scheme, name, port) : null;
    }
}
