using System.Collections.Immutable;

namespace Granary.Grains.ServiceAccounts;

/// <summary>An object a token is bound to, by name and uid (the "pod" or "secret" of kube's private claims).</summary>
public sealed record BoundObject(string Name, string Uid);

/// <summary>
/// The claims of a ServiceAccount token, as kube-apiserver writes them: the registered ones (iss, sub, aud, exp, iat,
/// nbf, jti) and the private "kubernetes.io" claim with the namespace, the ServiceAccount and the bound pod or secret.
/// </summary>
public sealed record ServiceAccountClaims(
    string Issuer,
    ImmutableList<string> Audiences,
    DateTimeOffset IssuedAt,
    DateTimeOffset Expires,
    string JwtId,
    string Namespace,
    BoundObject ServiceAccount,
    BoundObject? Pod,
    BoundObject? Secret)
{
    /// <summary>"system:serviceaccount:NS:NAME".</summary>
    public string Subject => Security.WellKnownUsers.ServiceAccount(Namespace, ServiceAccount.Name);

    /// <summary>kube sets nbf to iat.</summary>
    public DateTimeOffset NotBefore => IssuedAt;
}
