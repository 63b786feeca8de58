using System.Net;
using System.Text;

namespace Granary.Silo.Api;

/// <summary>
/// Writes a kubeconfig for this silo's API (cluster and context "granary", namespace default), so
/// <c>kubectl --kubeconfig ~/.granary/kubeconfig get pods</c> works as soon as the silo is up. Written whole
/// to a temporary file and renamed, so a reader never sees half of it. The context names no user: the API has
/// no authentication, and the official clients (KubernetesClient) refuse a user entry without credentials.
/// </summary>
internal static class KubeconfigFile
{
    public static string Render(string server) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: granary
          cluster:
            server: {server}
        contexts:
        - name: granary
          context:
            cluster: granary
            namespace: default
        current-context: granary
        preferences: {"{}"}

        """;

    /// <summary>The URL clients use: a wildcard listen address is reached on loopback.</summary>
    public static string ServerUrl(IPAddress address, int port)
    {
        if (address.Equals(IPAddress.Any))
            address = IPAddress.Loopback;
        else if (address.Equals(IPAddress.IPv6Any))
            address = IPAddress.IPv6Loopback;
        var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return $"http://{host}:{port}";
    }

    public static async Task WriteAsync(string path, string server, CancellationToken ct)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = $"{full}.{Environment.ProcessId}.tmp";
        await File.WriteAllTextAsync(temp, Render(server), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), ct);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, full, overwrite: true);
    }
}
