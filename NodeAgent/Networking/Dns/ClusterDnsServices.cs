using System.Net;
using ARSoft.Tools.Net;
using Granary.NodeAgent.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.NodeAgent.Networking.Dns;

/// <summary>Registers the node's cluster DNS and the pods' resolv.conf; the service catalog is registered beside it.</summary>
public static class ClusterDnsServices
{
    /// <exception cref="ArgumentException">--cluster-domain or --dns-upstream cannot be read.</exception>
    public static IServiceCollection AddClusterDns(this IServiceCollection services, AgentSettings settings)
    {
        if (!DomainName.TryParse(settings.ClusterDomain, out var zone) || zone is null || zone.LabelCount == 0)
            throw new ArgumentException($"--cluster-domain: \"{settings.ClusterDomain}\" is not a domain name; write one such as cluster.local");
        var listening = new IPEndPoint(IPAddress.Parse(settings.NodeIp), settings.DnsPort);
        var upstreams = DnsUpstreams.Resolve(settings.DnsUpstream, HostDnsConfig.Read(settings.ResolvConf), listening);
        services.AddSingleton(new ClusterDnsAnswers(zone));
        services.AddSingleton(new UpstreamForwarder(upstreams));
        services.AddSingleton<ClusterDnsResolver>();
        services.AddSingleton<ClusterDnsStatus>();
        services.AddSingleton<PodDnsFiles>();
        services.AddSingleton<ClusterDnsServer>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterDnsServer>());
        return services;
    }
}
