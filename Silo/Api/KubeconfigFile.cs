using Granary.Tools;
using System.Net;
using System.Text;
using Granary.Silo.Security;

namespace Granary.Silo.Api;

/// <summary>
/// Writes a kubeconfig for this silo's API (cluster and context "granary", namespace default), so
/// <c>kubectl --kubeconfig ~/.granary/kubeconfig get pods</c> works as soon as the silo is up: over HTTPS it carries
/// the CA to trust and the admin token (user "granary"). Without a token the context names no user: the official
/// clients (KubernetesClient) refuse a user entry without credentials. Written whole (0600, it may hold a token) to a
/// temporary file and renamed, so a reader never sees half of it.
/// </summary>
internal static class KubeconfigFile
{
    public static string Render(string server, KubeconfigCredentials credentials)
    {
        var cluster = new StringBuilder($"    server: {server}\n");
        if (credentials.CertificateAuthorityPem is { } ca)
            cluster.Append($"    certificate-authority-data: {Convert.ToBase64String(Encoding.UTF8.GetBytes(ca))}\n");
        if (credentials.InsecureSkipTlsVerify)
            cluster.Append("    insecure-skip-tls-verify: true\n");
        // A token is hex (generated) or a token-file field, which holds no quote or line break; quoted all the same.
        var (users, contextUser) = credentials.Token is { } token
            ? ($"users:\n- name: granary\n  user:\n    token: \"{token}\"\n", "    user: granary\n")
            : ("", "");
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: granary
              cluster:
            {cluster}{users}contexts:
            - name: granary
              context:
                cluster: granary
            {contextUser}    namespace: default
            current-context: granary
            preferences: {"{}"}

            """;
    }

    /// <summary>The URL clients use: a wildcard listen address is reached on loopback.</summary>
    public static string ServerUrl(IPAddress address, int port, bool https)
    {
        if (address.Equals(IPAddress.Any))
            address = IPAddress.Loopback;
        else if (address.Equals(IPAddress.IPv6Any))
            address = IPAddress.IPv6Loopback;
        var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return $"{(https ? "https" : "http")}://{host}:{port}";
    }

    public static void Write(string path, string server, KubeconfigCredentials credentials)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        PrivateFile.Replace(full, Render(server, credentials), PrivateFile.OwnerOnly);
    }
}
