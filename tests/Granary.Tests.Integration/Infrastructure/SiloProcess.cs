namespace Granary.Tests.Integration.Infrastructure;

/// <summary>A real silo process (the built Granary.Silo.dll), started on its own ports.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private SiloProcess(ChildProcess process, int siloPort, int gatewayPort)
    {
        Process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public ChildProcess Process { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    /// <summary>Starts a silo (Redis mode when <paramref name="redis"/> is set) and waits until it says it is ready.</summary>
    public static async Task<SiloProcess> StartAsync(string? redis, string clusterId, params string[] extraArgs)
    {
        int siloPort = FreePort.Next(), gatewayPort = FreePort.Next();
        var args = new List<string> { RepoPaths.SiloDll, "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--cluster-id", clusterId };
        if (redis is not null)
            args.AddRange(["--redis", redis]);
        args.AddRange(extraArgs);
        var process = ChildProcess.Start($"silo:{siloPort}", "dotnet", args);
        await process.WaitForLineAsync("Silo ready", StartTimeout, $"starting silo on port {siloPort}");
        return new SiloProcess(process, siloPort, gatewayPort);
    }

    public Task StopAsync() => Process.StopAsync();

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
