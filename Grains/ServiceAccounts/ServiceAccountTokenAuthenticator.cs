using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Security;
using Granary.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Grains.ServiceAccounts;

/// <summary>
/// Authenticates ServiceAccount tokens (kube's serviceaccount token authenticator): valid only while the signature
/// (one of the issuer grain's keys, cached here and fetched again when a token names a key not seen yet), the issuer,
/// an audience of the API and the lifetime hold, and while the ServiceAccount and the bound pod or secret still exist
/// with the uids the token names. The user is system:serviceaccount:NS:NAME in system:serviceaccounts,
/// system:serviceaccounts:NS and system:authenticated, with the pod's name and uid as extra, as kube gives them.
/// </summary>
public sealed partial class ServiceAccountTokenAuthenticator(IGrainFactory grains, IOptions<ServiceAccountTokenOptions> options, TimeProvider time,
    ILogger<ServiceAccountTokenAuthenticator> logger) : ITokenAuthenticator, IDisposable
{
    public const string PodNameExtra = "authentication.kubernetes.io/pod-name";
    public const string PodUidExtra = "authentication.kubernetes.io/pod-uid";
    public const string CredentialIdExtra = "authentication.kubernetes.io/credential-id";

    private static readonly TimeSpan KeysLifetime = TimeSpan.FromMinutes(5);
    // A token signed by a key not cached yet (another silo's fresh key) fetches the keys again, at most this often.
    private static readonly TimeSpan RefetchAtMost = TimeSpan.FromSeconds(5);
    // Clocks of the issuing silo and this one may differ a little.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _fetch = new(1, 1);
    private KeySet? _keys;

    private sealed record KeySet(ImmutableList<string> Pems, ImmutableList<TokenSigningKey> Keys, DateTimeOffset FetchedAt);

    public async ValueTask<UserInfo?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        if (!ServiceAccountJwt.LooksLikeJwt(token))
            return null;
        var keys = await KeysAsync(refetch: false, cancellationToken);
        var claims = ServiceAccountJwt.Decode(token, keys.Keys, out var problem);
        if (claims is null && time.GetUtcNow() - keys.FetchedAt > RefetchAtMost)
        {
            keys = await KeysAsync(refetch: true, cancellationToken);
            claims = ServiceAccountJwt.Decode(token, keys.Keys, out problem);
        }
        if (claims is null)
            return Refuse(problem!);
        var now = time.GetUtcNow();
        if (claims.Issuer != options.Value.Issuer)
            return Refuse($"issuer \"{claims.Issuer}\" is not {options.Value.Issuer}");
        if (!claims.Audiences.Intersect(options.Value.EffectiveAudiences).Any())
            return Refuse($"audiences {string.Join(",", claims.Audiences)} are not the API's ({string.Join(",", options.Value.EffectiveAudiences)})");
        if (now >= claims.Expires)
            return Refuse($"it expired at {claims.Expires:u}");
        if (now + ClockSkew < claims.NotBefore)
            return Refuse($"it is not valid before {claims.NotBefore:u}");

        var account = await LiveAsync(ResourceKinds.ServiceAccount, claims.Namespace, claims.ServiceAccount);
        if (account is null)
            return Refuse($"serviceaccount {claims.Namespace}/{claims.ServiceAccount.Name} ({claims.ServiceAccount.Uid}) no longer exists");
        if (claims.Pod is { } pod && await LiveAsync(ResourceKinds.Pod, claims.Namespace, pod) is null)
            return Refuse($"its pod {claims.Namespace}/{pod.Name} ({pod.Uid}) no longer exists");
        if (claims.Secret is { } secret && await LiveAsync(ResourceKinds.Secret, claims.Namespace, secret) is null)
            return Refuse($"its secret {claims.Namespace}/{secret.Name} ({secret.Uid}) no longer exists");

        var extra = ImmutableDictionary.CreateBuilder<string, ImmutableArray<string>>();
        if (claims.Pod is { } boundPod)
        {
            extra[PodNameExtra] = [boundPod.Name];
            extra[PodUidExtra] = [boundPod.Uid];
        }
        if (claims.JwtId.Length > 0)
            extra[CredentialIdExtra] = [$"JTI={claims.JwtId}"];
        return new UserInfo(claims.Subject, claims.ServiceAccount.Uid,
            [WellKnownGroups.ServiceAccounts, WellKnownGroups.ServiceAccountsIn(claims.Namespace), WellKnownGroups.Authenticated],
            extra.ToImmutable());
    }

    private UserInfo? Refuse(string why)
    {
        LogRefused(logger, why);
        return null;
    }

    /// <summary>The object when it exists with the uid the token names, else null.</summary>
    private async Task<IResource?> LiveAsync(ResourceKind kind, string @namespace, BoundObject bound)
    {
        try
        {
            var found = await ResourceGrains.GetAsync(grains, kind, kind.KeyOf(@namespace, bound.Name));
            return found.Metadata.Uid == bound.Uid ? found : null;
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    private async Task<KeySet> KeysAsync(bool refetch, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _keys);
        if (!refetch && current is not null && time.GetUtcNow() - current.FetchedAt < KeysLifetime)
            return current;
        await _fetch.WaitAsync(cancellationToken);
        try
        {
            // Another request may have fetched them while this one waited.
            if (_keys is { } fetched && fetched != current)
                return fetched;
            var pems = await grains.GetGrain<IServiceAccountTokenGrain>(IServiceAccountTokenGrain.Key).GetVerificationKeysAsync();
            // Unchanged keys are kept as they are; changed ones are replaced, and the old ones left to the collector, since
            // requests verifying with them may still be running.
            var keys = current is not null && current.Pems.SequenceEqual(pems)
                ? current.Keys
                : [.. pems.Select(pem => TokenSigningKey.FromPem(pem, requirePrivate: false, "a ServiceAccount verification key"))];
            var set = new KeySet(pems, keys, time.GetUtcNow());
            Volatile.Write(ref _keys, set);
            return set;
        }
        finally
        {
            _fetch.Release();
        }
    }

    public void Dispose() => _fetch.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "A ServiceAccount token was refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
