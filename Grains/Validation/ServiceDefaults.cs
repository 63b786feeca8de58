using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>The values Kubernetes fills in a service (SetDefaults_Service and the service strategy). Idempotent.</summary>
public static class ServiceDefaults
{
    public const int DefaultClientIPTimeoutSeconds = 10800;

    public static Service Apply(Service service)
    {
        var spec = service.Spec;
        var type = spec.Type ?? ServiceTypes.ClusterIP;
        var affinity = spec.SessionAffinity ?? "None";
        var clusterIPs = spec.ClusterIPs is { Count: > 0 } ips ? ips : spec.ClusterIP is { Length: > 0 } ip ? ImmutableList.Create(ip) : spec.ClusterIPs;
        var addressed = type != ServiceTypes.ExternalName;
        var external = type is ServiceTypes.NodePort or ServiceTypes.LoadBalancer;
        return service with
        {
            Spec = spec with
            {
                Type = type,
                SessionAffinity = affinity,
                SessionAffinityConfig = affinity == "ClientIP" && spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds is null
                    ? new SessionAffinityConfig { ClientIP = new ClientIPConfig { TimeoutSeconds = DefaultClientIPTimeoutSeconds } }
                    : spec.SessionAffinityConfig,
                Ports = spec.Ports?.ConvertAll(DefaultPort),
                ClusterIP = string.IsNullOrEmpty(spec.ClusterIP) ? clusterIPs?.FirstOrDefault() ?? spec.ClusterIP : spec.ClusterIP,
                ClusterIPs = clusterIPs,
                InternalTrafficPolicy = addressed ? spec.InternalTrafficPolicy ?? "Cluster" : spec.InternalTrafficPolicy,
                ExternalTrafficPolicy = external ? spec.ExternalTrafficPolicy ?? "Cluster" : spec.ExternalTrafficPolicy,
                IpFamilyPolicy = addressed ? spec.IpFamilyPolicy ?? "SingleStack" : spec.IpFamilyPolicy,
                IpFamilies = addressed && spec.IpFamilies is not { Count: > 0 } ? ["IPv4"] : spec.IpFamilies,
                AllocateLoadBalancerNodePorts = type == ServiceTypes.LoadBalancer ? spec.AllocateLoadBalancerNodePorts ?? true : spec.AllocateLoadBalancerNodePorts,
                // Plain values in Kubernetes (not pointers): 0 and false are "not set", and its JSON leaves them out.
                HealthCheckNodePort = spec.HealthCheckNodePort is 0 ? null : spec.HealthCheckNodePort,
                PublishNotReadyAddresses = spec.PublishNotReadyAddresses is false ? null : spec.PublishNotReadyAddresses,
            },
        };
    }

    /// <summary>Whether the service gets node ports (NodePort, and LoadBalancer unless it opts out).</summary>
    public static bool NeedsNodePorts(ServiceSpec spec) =>
        spec.Type == ServiceTypes.NodePort || (spec.Type == ServiceTypes.LoadBalancer && spec.AllocateLoadBalancerNodePorts != false);

    /// <summary>Whether the service gets a cluster IP (all but ExternalName and headless ones).</summary>
    public static bool NeedsClusterIP(ServiceSpec spec) => spec.Type != ServiceTypes.ExternalName && spec.ClusterIP != Service.ClusterIPNone;

    private static ServicePort DefaultPort(ServicePort port) => port with
    {
        Protocol = string.IsNullOrEmpty(port.Protocol) ? "TCP" : port.Protocol,
        // nodePort is a plain int32 in Kubernetes: 0 means "none yet" (allocated for NodePort services), never a port.
        NodePort = port.NodePort is 0 ? null : port.NodePort,
        TargetPort = port.TargetPort is not { } target || ((target.IntValue ?? 0) == 0 && string.IsNullOrEmpty(target.StringValue)) ? port.Port : target,
    };
}
