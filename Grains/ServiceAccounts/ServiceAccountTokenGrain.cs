using System.Collections.Immutable;
using System.Globalization;
using Granary.Api;
using Granary.Errors;
using Granary.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Grains.ServiceAccounts;

/// <summary>
/// The cluster's ServiceAccount token issuer (<see cref="IServiceAccountTokenGrain"/>), one activation. Its key comes
/// from --service-account-signing-key-file when given; otherwise it is generated on first use and written to grain
/// storage before it signs anything, so every silo and every later activation signs with the same key (the pattern of
/// the cluster CA grain). The checks are kube-apiserver's TokenRequest REST handler's.
/// </summary>
public sealed partial class ServiceAccountTokenGrain(
    [PersistentState(ServiceAccountKeyState.StateName, StorageNames.Default)] IPersistentState<ServiceAccountKeyState> state,
    IOptions<ServiceAccountTokenOptions> options,
    TimeProvider time,
    ILogger<ServiceAccountTokenGrain> logger) : Grain, IServiceAccountTokenGrain
{
    private const string TokenRequestKind = "TokenRequest.authentication.k8s.io";
    private TokenSigningKey? _signing;
    private TokenSigningKey? _extra;

    async Task<IssuedToken> IServiceAccountTokenGrain.RequestAsync(string @namespace, string serviceAccountName, TokenRequestSpec spec)
    {
        var seconds = ValidExpiration(serviceAccountName, spec.ExpirationSeconds ?? ServiceAccountTokenOptions.DefaultExpirationSeconds);
        var account = await GetAsync<ServiceAccount>(ResourceKinds.ServiceAccount, @namespace, serviceAccountName);
        BoundObject? pod = null, secret = null;
        var bound = spec.BoundObjectRef;
        if (bound is not null)
        {
            switch (bound.Kind)
            {
                case "Pod" when bound.ApiVersion is null or "" or "v1":
                    var found = await GetAsync<Pod>(ResourceKinds.Pod, @namespace, bound.Name ?? "");
                    CheckUid(bound, found.Metadata.Uid);
                    if (found.Spec.ServiceAccountName != serviceAccountName)
                        throw new BadRequestException($"cannot bind token for serviceaccount \"{serviceAccountName}\" to pod running with different serviceaccount name.");
                    pod = new BoundObject(found.Metadata.Name!, found.Metadata.Uid!);
                    break;
                case "Secret" when bound.ApiVersion is null or "" or "v1":
                    var foundSecret = await GetAsync<Secret>(ResourceKinds.Secret, @namespace, bound.Name ?? "");
                    CheckUid(bound, foundSecret.Metadata.Uid);
                    secret = new BoundObject(foundSecret.Metadata.Name!, foundSecret.Metadata.Uid!);
                    break;
                default:
                    throw new BadRequestException($"cannot bind token for object of kind \"{bound.ApiVersion}, Kind={bound.Kind}\": " +
                        "a token can be bound to a v1 Pod or a v1 Secret (kubectl create token --bound-object-kind Pod|Secret)");
            }
        }
        var granted = spec with
        {
            Audiences = spec.Audiences.IsEmpty ? options.Value.EffectiveAudiences : spec.Audiences,
            ExpirationSeconds = seconds,
            BoundObjectRef = bound is null ? null : bound with { ApiVersion = "v1", Uid = (pod ?? secret)!.Uid },
        };
        return await IssueAsync(@namespace, account, granted, pod, secret);
    }

    async Task<IssuedToken> IServiceAccountTokenGrain.RequestForPodAsync(string nodeName, string @namespace, string podName,
        ImmutableList<string> audiences, long expirationSeconds)
    {
        var pod = await GetAsync<Pod>(ResourceKinds.Pod, @namespace, podName);
        if (pod.Spec.NodeName != nodeName)
            throw new ForbiddenException($"node \"{nodeName}\" can only request tokens for pods bound to it: pod {@namespace}/{podName} is " +
                (pod.Spec.NodeName is { } other ? $"bound to node \"{other}\"" : "not bound to a node"));
        var name = pod.Spec.ServiceAccountName ?? ServiceAccount.Default;
        var seconds = ValidExpiration(name, expirationSeconds);
        var account = await GetAsync<ServiceAccount>(ResourceKinds.ServiceAccount, @namespace, name);
        var spec = new TokenRequestSpec
        {
            Audiences = audiences.IsEmpty ? options.Value.EffectiveAudiences : audiences,
            ExpirationSeconds = seconds,
            BoundObjectRef = new BoundObjectReference { Kind = "Pod", ApiVersion = "v1", Name = podName, Uid = pod.Metadata.Uid },
        };
        return await IssueAsync(@namespace, account, spec, new BoundObject(podName, pod.Metadata.Uid!), null);
    }

    async Task<ImmutableList<string>> IServiceAccountTokenGrain.GetVerificationKeysAsync()
    {
        var signing = await SigningKeyAsync();
        return _extra is null ? [signing.PublicKeyPem] : [signing.PublicKeyPem, _extra.PublicKeyPem];
    }

    private async Task<IssuedToken> IssueAsync(string @namespace, ServiceAccount account, TokenRequestSpec spec, BoundObject? pod, BoundObject? secret)
    {
        var key = await SigningKeyAsync();
        // Whole seconds, as the JWT carries them, so expirationTimestamp equals the token's exp.
        var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        var claims = new ServiceAccountClaims(options.Value.Issuer, spec.Audiences, now, now.AddSeconds(spec.ExpirationSeconds!.Value),
            Guid.NewGuid().ToString(), @namespace, new BoundObject(account.Metadata.Name!, account.Metadata.Uid!), pod, secret);
        var token = ServiceAccountJwt.Encode(claims, key);
        LogIssued(logger, claims.Subject, pod?.Name ?? secret?.Name ?? "-", claims.Expires.UtcDateTime);
        return new IssuedToken(token, claims.Expires, spec);
    }

    /// <summary>The lifetime a request gets: kube's bounds are errors, --service-account-max-token-expiration caps it.</summary>
    private long ValidExpiration(string name, long seconds)
    {
        string? problem = seconds < ServiceAccountTokenOptions.MinExpirationSeconds ? "may not specify a duration less than 10 minutes"
            : seconds > ServiceAccountTokenOptions.MaxExpirationSeconds ? "may not specify a duration larger than 2^32 seconds"
            : null;
        if (problem is not null)
            throw new InvalidException(TokenRequestKind, name,
                [new FieldError("spec.expirationSeconds", "Invalid value", $"{seconds.ToString(CultureInfo.InvariantCulture)}: {problem}")]);
        if (options.Value.MaxExpiration is { } max && seconds > (long)max.TotalSeconds)
            return (long)max.TotalSeconds;
        return seconds;
    }

    private static void CheckUid(BoundObjectReference bound, string? uid)
    {
        if (!string.IsNullOrEmpty(bound.Uid) && bound.Uid != uid)
            throw new ConflictException(bound.Kind == "Pod" ? "pods" : "secrets", bound.Name ?? "",
                $"the UID in the bound object reference ({bound.Uid}) does not match the UID in record ({uid}). The object might have been deleted and then recreated");
    }

    private async Task<T> GetAsync<T>(ResourceKind kind, string @namespace, string name) where T : class, IResource
    {
        if (name.Length == 0)
            throw new BadRequestException($"the bound object's name is required (kubectl create token --bound-object-name NAME)");
        return (T)await ResourceGrains.GetAsync(GrainFactory, kind, kind.KeyOf(@namespace, name));
    }

    /// <summary>The key: the configured file's, else the stored one, else a new one, stored first.</summary>
    private async Task<TokenSigningKey> SigningKeyAsync()
    {
        if (_signing is not null)
            return _signing;
        if (options.Value.KeyFile is { Length: > 0 } keyFile)
            _extra = TokenSigningKey.FromPem(await File.ReadAllTextAsync(keyFile), requirePrivate: false, keyFile);
        if (options.Value.SigningKeyFile is { Length: > 0 } file)
            return _signing = TokenSigningKey.FromPem(await File.ReadAllTextAsync(file), requirePrivate: true, file);
        if (state.State.PrivateKeyPem is { } pem)
            return _signing = TokenSigningKey.FromPem(pem, requirePrivate: true, "the stored ServiceAccount signing key");

        var fresh = TokenSigningKey.Generate();
        state.State.PrivateKeyPem = fresh.ExportPrivateKeyPem();
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never sign with a key that is not stored: another activation would not verify its tokens.
            fresh.Dispose();
            await state.ReadStateAsync();
            throw new ServiceUnavailableException($"the ServiceAccount signing key could not be stored ({e.Message}); try again once the grain storage answers");
        }
        LogKeyCreated(logger, fresh.KeyId);
        return _signing = fresh;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _signing?.Dispose();
        _extra?.Dispose();
        _signing = _extra = null;
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ServiceAccount signing key created (kid {KeyId})")]
    private static partial void LogKeyCreated(ILogger logger, string keyId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Issued a token for {Subject} bound to {Bound}, valid until {Expires:u}")]
    private static partial void LogIssued(ILogger logger, string subject, string bound, DateTime expires);
}
