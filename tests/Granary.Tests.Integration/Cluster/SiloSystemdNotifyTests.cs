using System.Text.Json;
using Granary.Tests.Integration.Infrastructure;
using StackExchange.Redis;

namespace Granary.Tests.Integration.Cluster;

/// <summary>
/// A real silo on Redis under systemd's service protocol (Type=notify), without systemd: the test binds the notify
/// socket (a unix datagram socket, one notification per datagram) and passes it as NOTIFY_SOCKET, with WATCHDOG_USEC,
/// as systemd does for deploy/systemd/granary-silo.service.
/// </summary>
public sealed class SiloSystemdNotifyTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private static readonly string[] Known = ["READY=1", "WATCHDOG=1", "STOPPING=1"];
    private const int ActiveStatus = 3; // Orleans' SiloStatus.Active in the Redis membership table.
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-silo-notify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Silo_SaysReadyOnceActiveAndServing_PingsTheWatchdog_AndSaysStoppingOnSigterm()
    {
        await using var notifications = new SystemdNotifications();
        int siloPort = FreePort.Next(), gatewayPort = FreePort.Next(), apiPort = FreePort.Next();
        const string clusterId = "systemd-notify";
        await using var silo = ChildProcess.Start($"silo:{siloPort}", "dotnet",
            SiloProcess.Arguments(siloPort, gatewayPort, apiPort, Path.Combine(_dir, "kubeconfig"), redis.Endpoint, clusterId, []),
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notifications.SocketPath, ["WATCHDOG_USEC"] = "2000000" });

        var ready = await notifications.WaitForAsync("READY=1", 1, after: 0, "waiting for READY=1", silo.Name, () => silo.Output);
        // At READY=1 the API answers and the cluster's membership table lists this silo Active.
        var readyz = await ReadyzAsync(apiPort);
        var membership = await MembershipStatusAsync(clusterId, siloPort);
        await notifications.WaitForAsync("WATCHDOG=1", 2, after: ready, "waiting for two WATCHDOG=1 after READY=1", silo.Name, () => silo.Output);
        await silo.StopAsync(TimeSpan.FromSeconds(60));
        await notifications.WaitForAsync("STOPPING=1", 1, after: 0, "waiting for STOPPING=1 after SIGTERM", silo.Name, () => silo.Output);

        Assert.Equal(0, silo.ExitCode);
        Assert.Equal("ok", readyz);
        Assert.Equal(ActiveStatus, membership);
        var all = notifications.All;
        Assert.Equal(1, all.Count(n => n == "READY=1"));
        Assert.Equal(1, all.Count(n => n == "STOPPING=1"));
        Assert.Equal("STOPPING=1", all[^1]);
        Assert.True(all.Count(n => n == "WATCHDOG=1") >= 2, string.Join(", ", all));
        Assert.All(all, n => Assert.Contains(n, Known));
        // Under systemd the log takes journald's form: one line per entry, the priority first.
        Assert.Matches(@"(?m)^<6>Granary\.Silo\.Systemd\.SiloServiceState\[\d+\] Silo S127\.0\.0\.1:" + siloPort + ":", silo.Output);
    }

    /// <summary>The API's /readyz body, over the HTTPS the silo serves with Redis (its generated CA is not needed for a probe).</summary>
    private static async Task<string> ReadyzAsync(int apiPort)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(new Uri($"https://127.0.0.1:{apiPort}/readyz"));
    }

    /// <summary>This silo's status in Orleans' Redis membership table ("{serviceId}/members/{clusterId}"; the silo uses its cluster id for both).</summary>
    private async Task<int> MembershipStatusAsync(string clusterId, int siloPort)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        var rows = await connection.GetDatabase().HashGetAllAsync($"{clusterId}/members/{clusterId}");
        var row = Assert.Single(rows, r => r.Name.ToString().StartsWith($"S127.0.0.1:{siloPort}:", StringComparison.Ordinal));
        using var entry = JsonDocument.Parse(row.Value.ToString());
        return entry.RootElement.GetProperty("Status").GetInt32();
    }
}
