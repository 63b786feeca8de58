using Granary.NodeAgent.Systemd;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Granary.Silo.Systemd;

/// <summary>
/// The silo as a systemd Type=notify service (deploy/systemd/granary-silo.service), with the agent's sd_notify
/// parts: one <see cref="SdNotifier"/>, READY=1 through <see cref="AgentReadiness"/> (once per process), and the
/// agent's <see cref="WatchdogService"/>, which pings while every loop in <see cref="AgentHealth"/> is alive and says
/// STOPPING=1. A dev silo's embedded agent registers the same types: the registrations collapse to one of each, so its
/// loops join the silo's in one health record and the process says READY=1 once. Outside systemd all of it is idle.
/// </summary>
internal static class SiloSystemd
{
    public static IServiceCollection AddSiloSystemd(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SdNotifier(sp.GetRequiredService<ILogger<SdNotifier>>()));
        services.TryAddSingleton<AgentHealth>();
        services.TryAddSingleton<AgentReadiness>();
        services.AddHostedService<SiloServiceState>();
        services.AddHostedService<WatchdogService>();
        return services;
    }
}
