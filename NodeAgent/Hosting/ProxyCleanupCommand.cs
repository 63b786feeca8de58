using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.Networking.Proxy.Nftables;
using Microsoft.Extensions.Configuration;

namespace Granary.NodeAgent.Hosting;

/// <summary>
/// <c>Granary.NodeAgent --cleanup [--node-name NAME]</c> (kube-proxy's --cleanup): removes the node's nftables table,
/// which the agent leaves in place when it stops so traffic goes on across a restart, and exits.
/// </summary>
public static class ProxyCleanupCommand
{
    public const string Flag = "--cleanup";

    public static int Run(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables("GRANARY_")
            .AddCommandLine([.. args.Where(a => a != Flag)], AgentSettings.SwitchMappings)
            .Build();
        var settings = configuration.Get<AgentSettings>() ?? new AgentSettings();
        try
        {
            var table = NftablesCleanup.Remove(settings.EffectiveNodeName, new NftProgram());
            Console.WriteLine($"removed nftables table ip {table} (if it existed)");
            return 0;
        }
        catch (NftablesException e)
        {
            Console.Error.WriteLine($"error: cannot remove the service proxy's nftables table: {e.Message}");
            return 1;
        }
    }
}
