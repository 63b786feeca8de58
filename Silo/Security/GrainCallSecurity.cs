using Granary.Grains.Certificates;
using Granary.Grains.Security.GrainCalls;

namespace Granary.Silo.Security;

/// <summary>Wires the grain surface's security into a production silo: mutual TLS, caller identities, authorization.</summary>
internal static class GrainCallSecurity
{
    public static void Add(ISiloBuilder silo, OrleansTls tls, string clusterId)
    {
        tls.Configure(silo);
        var services = silo.Services;
        services.AddSingleton(new GrainCallSecurityOptions { Authority = tls.Authority, ClusterId = clusterId, SiloProof = tls.Proof });
        services.AddSingleton<CallerAuthenticator>();
        // Calls are authorized by the API's IAuthorizer (system:masters, Node, RBAC; see KubeApi).
        silo.AddIncomingGrainCallFilter<GrainCallAuthorizationFilter>();
        silo.AddOutgoingGrainCallFilter<SiloCallStamp>();
        if (tls.AuthorityKeyPem is { } key)
            services.Configure<ClusterAuthorityOptions>(o => (o.CertificatePem, o.KeyPem) = (tls.Authority.ExportCertificatePem() + "\n", key));
    }
}
