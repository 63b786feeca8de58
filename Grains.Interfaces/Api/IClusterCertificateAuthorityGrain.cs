namespace Granary.Api;

/// <summary>
/// The cluster's certificate authority for the channel between silos and node agents' servers (key <see cref="Key"/>,
/// one activation). It creates its CA on first use and keeps it in grain storage (Redis in production, memory in dev),
/// as k3s keeps its CA in the datastore. The CA's key never leaves the silos: agents and silos send certificate signing
/// requests (PEM, PKCS#10) for keys they generated themselves and get back certificates. What a certificate may say
/// is decided here, not by the request: the rules are in <see cref="Certificates.ClusterIdentities"/>.
/// </summary>
[Alias("granary.IClusterCertificateAuthorityGrain")]
public interface IClusterCertificateAuthorityGrain : IGrainWithStringKey
{
    public const string Key = "cluster";

    /// <summary>The CA certificate (PEM), created on first use. Idempotent.</summary>
    [Alias("GetAuthority")]
    Task<string> GetAuthorityAsync();

    /// <summary>
    /// Signs a node's serving certificate: the request's subject must be CN=system:node:<paramref name="nodeName"/>,
    /// O=system:nodes, its subject alternative names the node's name and only addresses the registered Node reports.
    /// Invalid (naming the field) when the request breaks a rule; NotFound when the Node is not registered.
    /// </summary>
    [Alias("SignNodeServing")]
    Task<IssuedCertificate> SignNodeServingAsync(string nodeName, string certificateRequestPem);

    /// <summary>
    /// Signs a silo's client certificate for dialing agents: subject CN=granary-silo-NAME, O=system:masters, client
    /// authentication only, short-lived. Invalid (naming the field) when the request breaks a rule.
    /// </summary>
    [Alias("SignSiloClient")]
    Task<IssuedCertificate> SignSiloClientAsync(string certificateRequestPem);
}

/// <summary>A certificate the cluster CA signed, and the CA certificate that verifies it, both PEM.</summary>
[GenerateSerializer, Immutable, Alias("granary.IssuedCertificate")]
public sealed record IssuedCertificate(
    [property: Id(0)] string CertificatePem,
    [property: Id(1)] string AuthorityPem);
