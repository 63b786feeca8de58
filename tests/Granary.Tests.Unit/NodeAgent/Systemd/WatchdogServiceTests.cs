using Granary.NodeAgent.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.NodeAgent.Systemd;

/// <summary>
/// The agent's systemd protocol in a real host, against a datagram socket standing in for systemd, with a
/// fake clock driving the watchdog (WATCHDOG_USEC = 2 s, so a ping is due every second).
/// </summary>
public sealed class WatchdogServiceTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly NotifySocket _systemd = new();
    private readonly LogRecorder _logs = new();

    public void Dispose() => _systemd.Dispose();

    private IHost Host(string? socketPath, TimeSpan? watchdog)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new());
        builder.Logging.ClearProviders().AddProvider(_logs).SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddSingleton(sp => new SdNotifier(socketPath, watchdog, sp.GetRequiredService<ILogger<SdNotifier>>()));
        builder.Services.AddSingleton<AgentHealth>();
        builder.Services.AddSingleton<AgentReadiness>();
        builder.Services.AddHostedService<WatchdogService>();
        return builder.Build();
    }

    [Fact]
    public async Task Host_ReadyThenHealthyThenStopping_NotifiesInOrder()
    {
        using var host = Host(_systemd.Path, TimeSpan.FromSeconds(2));
        var health = host.Services.GetRequiredService<AgentHealth>();
        var readiness = host.Services.GetRequiredService<AgentReadiness>();
        health.Register("pod-sync", TimeSpan.FromSeconds(2.5));
        await host.StartAsync();

        readiness.MarkReady();
        readiness.MarkReady();
        Assert.Equal("READY=1", await _systemd.NextAsync("READY=1 after MarkReady"));
        Assert.True(readiness.IsReady);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("WATCHDOG=1", await _systemd.NextAsync("the ping at 1 s"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("WATCHDOG=1", await _systemd.NextAsync("the ping at 2 s"));

        _time.Advance(TimeSpan.FromSeconds(1));
        await _logs.WaitForAsync(LogLevel.Warning,
            "systemd watchdog ping withheld, stale loops: pod-sync (last beat 3s ago, allowed 2.5s)", "the withheld ping at 3 s");
        health.Beat("pod-sync");
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("WATCHDOG=1", await _systemd.NextAsync("the ping at 4 s, after the loop beat again"));
        await _logs.WaitForAsync(LogLevel.Information, "systemd watchdog pings resumed", "the resumed pings");

        await host.StopAsync();
        Assert.Equal("STOPPING=1", await _systemd.NextAsync("STOPPING=1 on stop"));
        await _systemd.AssertNothingMoreAsync();
    }

    [Fact]
    public async Task Host_NoWatchdog_ReadyAndStoppingOnly()
    {
        using var host = Host(_systemd.Path, watchdog: null);
        await host.StartAsync();

        host.Services.GetRequiredService<AgentReadiness>().MarkReady();
        _time.Advance(TimeSpan.FromMinutes(5));
        await host.StopAsync();

        Assert.Equal("READY=1", await _systemd.NextAsync("READY=1"));
        Assert.Equal("STOPPING=1", await _systemd.NextAsync("STOPPING=1"));
        await _systemd.AssertNothingMoreAsync();
    }

    [Fact]
    public async Task Host_NotUnderSystemd_RunsAndStopsQuietly()
    {
        using var host = Host(socketPath: null, TimeSpan.FromSeconds(2));
        await host.StartAsync();

        var readiness = host.Services.GetRequiredService<AgentReadiness>();
        readiness.MarkReady();
        _time.Advance(TimeSpan.FromSeconds(10));
        await host.StopAsync();

        Assert.True(readiness.IsReady);
        await _systemd.AssertNothingMoreAsync();
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Host_SystemdGone_WatchdogFailsQuietlyAndTheHostLivesOn()
    {
        using var host = Host(_systemd.Path, TimeSpan.FromSeconds(2));
        await host.StartAsync();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("WATCHDOG=1", await _systemd.NextAsync("the first ping"));

        _systemd.Close();
        _time.Advance(TimeSpan.FromSeconds(1));
        await _logs.WaitForAsync(LogLevel.Warning, "systemd notification WATCHDOG=1 not delivered", "the failed ping");
        _time.Advance(TimeSpan.FromSeconds(1));
        await _logs.WaitForAsync(LogLevel.Debug, "systemd notification WATCHDOG=1 not delivered", "the second failed ping");

        var watchdog = host.Services.GetServices<IHostedService>().OfType<WatchdogService>().Single();
        Assert.False(watchdog.ExecuteTask!.IsCompleted, "the watchdog loop ended when systemd went away");
        await host.StopAsync();
        Assert.True(watchdog.ExecuteTask.IsCompletedSuccessfully);
    }
}
