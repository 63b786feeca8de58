namespace Granary.Silo.Api.Proxy;

/// <summary>
/// The Location of a proxied redirect, as kube-apiserver's proxy transport rewrites it: a redirect to the proxied
/// server itself (a path, or an absolute URL naming the address the request was sent to) is turned into the same
/// path below the proxy's prefix, so the client stays on the proxy; a redirect elsewhere, or one relative to the
/// current path, is left as it is.
/// </summary>
internal static class ProxyRedirects
{
    /// <param name="location">The Location header the proxied server sent.</param>
    /// <param name="targetHostPort">The HOST:PORT the request went to (what the server sees as its own address).</param>
    /// <param name="prefix">The proxy's path up to and including "/proxy", as the client sent it.</param>
    public static string Rewrite(string location, string targetHostPort, string prefix)
    {
        string rest;
        if (location.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = location.IndexOf('/', 2);
            var host = slash < 0 ? location[2..] : location[2..slash];
            if (!SameHost(host, targetHostPort))
                return location;
            rest = slash < 0 ? "/" : location[slash..];
        }
        else if (location.StartsWith('/'))
        {
            rest = location;
        }
        else if (Uri.TryCreate(location, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            if (!SameHost($"{absolute.Host}:{absolute.Port}", targetHostPort))
                return location;
            rest = absolute.PathAndQuery + absolute.Fragment;
        }
        else
        {
            return location;
        }
        var trimmed = prefix.TrimEnd('/');
        return rest.StartsWith(trimmed, StringComparison.Ordinal) ? rest : trimmed + rest;
    }

    private static bool SameHost(string host, string targetHostPort) =>
        string.Equals(host, targetHostPort, StringComparison.OrdinalIgnoreCase);
}
