using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// What a TokenRequest (authentication.k8s.io/v1, the serviceaccounts/token subresource) asks for: the audiences (empty:
/// the API's own), the lifetime (unset: 3600 s) and an object the token is bound to, so that it stops working when
/// that object is deleted.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.TokenRequestSpec")]
public sealed record TokenRequestSpec
{
    [Id(0)] public ImmutableList<string> Audiences { get; init; } = [];
    [Id(1)] public long? ExpirationSeconds { get; init; }
    [Id(2)] public BoundObjectReference? BoundObjectRef { get; init; }
}

/// <summary>The object a token is bound to (kube's BoundObjectReference): a Pod or a Secret in the ServiceAccount's namespace.</summary>
[GenerateSerializer, Immutable, Alias("granary.BoundObjectReference")]
public sealed record BoundObjectReference
{
    [Id(0)] public string? Kind { get; init; }
    [Id(1)] public string? ApiVersion { get; init; }
    [Id(2)] public string? Name { get; init; }
    [Id(3)] public string? Uid { get; init; }
}

/// <summary>
/// A signed ServiceAccount token, when it expires, and the request as it was granted (audiences and lifetime filled
/// in, the bound object's uid as found), which the TokenRequest's answer echoes.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.IssuedToken")]
public sealed record IssuedToken(
    [property: Id(0)] string Token,
    [property: Id(1)] DateTimeOffset ExpirationTimestamp,
    [property: Id(2)] TokenRequestSpec Spec);
