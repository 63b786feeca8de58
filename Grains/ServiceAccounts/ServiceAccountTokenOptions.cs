using System.Collections.Immutable;

namespace Granary.Grains.ServiceAccounts;

/// <summary>
/// How ServiceAccount tokens are issued and checked, as kube-apiserver's flags set it: --service-account-issuer,
/// --api-audiences, --service-account-signing-key-file, --service-account-key-file and
/// --service-account-max-token-expiration. Every silo must be given the same values.
/// </summary>
public sealed class ServiceAccountTokenOptions
{
    public const string DefaultIssuer = "https://kubernetes.default.svc.cluster.local";

    /// <summary>The shortest lifetime a TokenRequest may ask for (kube: 10 minutes).</summary>
    public const long MinExpirationSeconds = 600;

    /// <summary>The lifetime of a TokenRequest that sets none (kube: one hour).</summary>
    public const long DefaultExpirationSeconds = 3600;

    /// <summary>The longest lifetime kube's validation allows (2^32 seconds).</summary>
    public const long MaxExpirationSeconds = 1L << 32;

    public string Issuer { get; set; } = DefaultIssuer;

    /// <summary>The audiences the API accepts and gives tokens that ask for none. Empty: the issuer alone, as kube does.</summary>
    public ImmutableList<string> Audiences { get; set; } = [];

    /// <summary>The private key (PEM) tokens are signed with. Unset: a key generated once and kept in grain storage.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>Further public keys (PEM) whose tokens are accepted, e.g. a key being rotated out.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The longest lifetime a token is given; longer requests get this. Unset: no cap below 2^32 seconds.</summary>
    public TimeSpan? MaxExpiration { get; set; }

    public ImmutableList<string> EffectiveAudiences => Audiences.IsEmpty ? [Issuer] : Audiences;
}
