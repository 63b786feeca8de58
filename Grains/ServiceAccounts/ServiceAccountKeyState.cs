namespace Granary.Grains.ServiceAccounts;

/// <summary>The generated signing key as stored (PKCS#8 PEM), or nothing before first use or when a key file is given.</summary>
[GenerateSerializer, Alias("granary.ServiceAccountKeyState")]
public sealed class ServiceAccountKeyState
{
    public const string StateName = "service-account-key";

    [Id(0)] public string? PrivateKeyPem { get; set; }
}
