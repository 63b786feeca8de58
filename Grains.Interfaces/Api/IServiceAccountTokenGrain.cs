using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Api;

/// <summary>
/// Issues ServiceAccount tokens (kube-apiserver's TokenRequest) and keeps the key that signs them: one activation for
/// the cluster (key <see cref="Key"/>), whose key is given by flag or generated once and kept in grain storage, so
/// every silo issues and verifies the same tokens.
/// </summary>
[Alias("granary.IServiceAccountTokenGrain")]
public interface IServiceAccountTokenGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>
    /// A token for the ServiceAccount <paramref name="namespace"/>/<paramref name="serviceAccountName"/> (the
    /// TokenRequest subresource). Not idempotent: every call signs a new token. Throws NotFound (the ServiceAccount or
    /// the bound object), Invalid (spec.expirationSeconds), BadRequest (a bound object of another kind, or a pod of
    /// another ServiceAccount) or Conflict (a bound uid that is not the object's).
    /// </summary>
    [Alias("Request")]
    Task<IssuedToken> RequestAsync(string @namespace, string serviceAccountName, TokenRequestSpec spec);

    /// <summary>
    /// For the agent of node <paramref name="nodeName"/>: a token of the pod's ServiceAccount bound to the pod, for a
    /// projected serviceAccountToken volume source. Forbidden unless the pod is bound to that node; NotFound when the
    /// pod or its ServiceAccount is gone. Not idempotent.
    /// </summary>
    [Alias("RequestForPod")]
    Task<IssuedToken> RequestForPodAsync(string nodeName, string @namespace, string podName, ImmutableList<string> audiences, long expirationSeconds);

    /// <summary>The public keys (PEM) that verify tokens, the signing key's first. Idempotent.</summary>
    [Alias("GetVerificationKeys")]
    Task<ImmutableList<string>> GetVerificationKeysAsync();
}
