namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// A real silo process (the built Granary.Silo.dll), started on its own ports, with its Kubernetes API on its own
/// port and its kubeconfig in its own temp folder (never the user's ~/.granary).
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private SiloProcess(ChildProcess process, int siloPort, int gatewayPort, int apiPort, string dir)
    {
        Process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        ApiPort = apiPort;
        Dir = dir;
    }

    public ChildProcess Process { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    public int ApiPort { get; }

    /// <summary>The silo's own temp folder; it holds the kubeconfig and is deleted with the silo.</summary>
    public string Dir { get; }

    public string Kubeconfig => Path.Combine(Dir, "kubeconfig");

    public Uri ApiUrl => new($"http://127.0.0.1:{ApiPort}");

    /// <summary>
    /// Starts a silo (Redis mode when <paramref name="redis"/> is set) and waits until it says it is ready and its
    /// API listens.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(string? redis, string clusterId, params string[] extraArgs)
    {
        int siloPort = FreePort.Next(), gatewayPort = FreePort.Next(), apiPort = FreePort.Next();
        var dir = Directory.CreateTempSubdirectory("granary-silo-").FullName;
        var args = new List<string>
        {
            RepoPaths.SiloDll, "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--cluster-id", clusterId,
            "--api-port", $"{apiPort}", "--kubeconfig", Path.Combine(dir, "kubeconfig"),
        };
        if (redis is not null)
            args.AddRange(["--redis", redis]);
        args.AddRange(extraArgs);
        var process = ChildProcess.Start($"silo:{siloPort}", "dotnet", args);
        await process.WaitForLineAsync("Silo ready", StartTimeout, $"starting silo on port {siloPort}");
        await process.WaitForLineAsync($"Now listening on: http://127.0.0.1:{apiPort}", StartTimeout, $"starting the API of silo {siloPort} on port {apiPort}");
        return new SiloProcess(process, siloPort, gatewayPort, apiPort, dir);
    }

    public Task StopAsync() => Process.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
