using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Hosting;

namespace Granary.Silo;

/// <summary>
/// The dev silo runs a node agent for the local machine in the same process (as `k3s server` does): docker when an
/// engine answers, else host processes. It talks to the silo through the silo's own cluster client.
/// </summary>
internal static class EmbeddedAgent
{
    public static async Task AddAsync(IServiceCollection services, IConfiguration configuration, ILoggerFactory loggers)
    {
        var settings = configuration.GetSection("Agent").Get<AgentSettings>() ?? new AgentSettings();
        if (configuration["Agent:StateDir"] is null)
            settings.StateDir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".granary", "agent");
        // Several dev silos may run on one machine: the embedded agent's server takes any free port unless told.
        if (configuration["Agent:ServerPort"] is null)
            settings.ServerPort = 0;
        var runtime = await RuntimeSelector.SelectAsync(settings, loggers, processFallback: true, CancellationToken.None);
        services.AddGranaryAgent(settings, runtime, sp => new EmbeddedControlPlane(sp.GetRequiredService<IClusterClient>()));
        loggers.CreateLogger("Granary.Silo").LogInformation(
            "Embedded node agent for {Node}: driver {Driver}, pod network {Network} (disable with --embedded-agent false)",
            settings.EffectiveNodeName, runtime.Name, settings.PodNetwork);
    }
}
