using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Granary.Silo.Api;

/// <summary>
/// /version and the health probes. The version claims Kubernetes 1.32: the kubectl dispatcher picks the kubectl
/// whose minor version matches, and 1.32 is the one the API was measured against.
/// </summary>
internal static class VersionEndpoints
{
    public const string Major = "1";
    public const string Minor = "32";
    public const string GitVersion = "v1.32.0-granary";

    public static void Map(IEndpointRouteBuilder api)
    {
        var version = VersionInfo();
        api.MapGet("/version", () => DiscoveryEndpoints.Json(version));
        api.MapGet("/healthz", () => Results.Text("ok"));
        api.MapGet("/livez", () => Results.Text("ok"));
        // Ready once the host (the silo first) has started, until it starts stopping.
        api.MapGet("/readyz", (IHostApplicationLifetime lifetime) =>
            lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested
                ? Results.Text("ok")
                : Results.Text("not ready", statusCode: StatusCodes.Status503ServiceUnavailable));
    }

    private static JsonObject VersionInfo()
    {
        var assembly = typeof(VersionEndpoints).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
        // A single-file release has no Granary.Silo.dll on disk: the executable was written with it.
        var built = Path.Combine(AppContext.BaseDirectory, "Granary.Silo.dll");
        if (!File.Exists(built))
            built = Environment.ProcessPath ?? built;
        var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : OperatingSystem.IsWindows() ? "windows" : "unknown";
        var arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "amd64",
            Architecture.Arm64 => "arm64",
            var other => other.ToString().ToLowerInvariant(),
        };
        return new JsonObject
        {
            ["major"] = Major,
            ["minor"] = Minor,
            ["gitVersion"] = GitVersion,
            ["gitCommit"] = informational,
            ["gitTreeState"] = "clean",
            ["buildDate"] = File.GetLastWriteTimeUtc(built).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["goVersion"] = $".NET {Environment.Version}",
            ["compiler"] = "dotnet",
            ["platform"] = $"{os}/{arch}",
        };
    }
}
