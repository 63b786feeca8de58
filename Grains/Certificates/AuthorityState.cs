namespace Granary.Grains.Certificates;

/// <summary>The cluster CA as stored: its certificate and private key (PEM), or nothing before first use.</summary>
[GenerateSerializer, Alias("granary.AuthorityState")]
public sealed class AuthorityState
{
    public const string StateName = "cluster-ca";

    [Id(0)] public string? CertificatePem { get; set; }
    [Id(1)] public string? KeyPem { get; set; }
}
