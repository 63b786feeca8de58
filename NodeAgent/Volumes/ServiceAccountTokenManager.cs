using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using Granary.Api;
using Granary.Errors;
using Granary.Model;
using Granary.NodeAgent.ControlPlane;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Volumes;

/// <summary>Where the tokens of projected serviceAccountToken sources come from (the control plane, or a fake in tests).</summary>
public interface IServiceAccountTokens
{
    /// <summary>
    /// The token of every serviceAccountToken source of <paramref name="source"/>, by path. Throws
    /// <see cref="VolumeMountException"/> saying why a token could not be had (retried on the next pass).
    /// </summary>
    Task<IReadOnlyDictionary<string, byte[]>> TokensAsync(Pod pod, ProjectedVolumeSource source, CancellationToken ct);

    /// <summary>Drops what is kept for the pod with <paramref name="podUid"/>, which is gone.</summary>
    void Forget(string podUid);
}

/// <summary>
/// The kubelet's token manager: asks the control plane for a token bound to the pod (its grain checks the pod is
/// bound to this node), keeps it, and asks again once 80 % of its lifetime has passed (or 24 hours, whichever is
/// first), so the file in the pod is rewritten well before the token expires. When a refresh fails, the kept token is
/// used while it is still valid.
/// </summary>
public sealed partial class ServiceAccountTokenManager(ControlPlaneLink link, ControlPlaneRefusals refusals, TimeProvider time, ILogger<ServiceAccountTokenManager> logger)
    : IServiceAccountTokens
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);

    private sealed record Kept(byte[] Token, DateTimeOffset IssuedAt, DateTimeOffset Expires);

    private readonly ConcurrentDictionary<(string Uid, string Audience, long Seconds), Kept> _tokens = new();

    public async Task<IReadOnlyDictionary<string, byte[]>> TokensAsync(Pod pod, ProjectedVolumeSource source, CancellationToken ct)
    {
        var tokens = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var projection in (source.Sources ?? []).Select(s => s.ServiceAccountToken).OfType<ServiceAccountTokenProjection>())
            tokens[projection.Path] = await TokenAsync(pod, projection, ct);
        return tokens;
    }

    public void Forget(string podUid)
    {
        foreach (var key in _tokens.Keys.Where(k => k.Uid == podUid))
            _tokens.TryRemove(key, out _);
    }

    /// <summary>Whether a token issued at <paramref name="issuedAt"/> should be replaced at <paramref name="now"/> (kubelet's requiresRefresh). Pure.</summary>
    public static bool NeedsRefresh(DateTimeOffset issuedAt, DateTimeOffset expires, DateTimeOffset now) =>
        now >= issuedAt + (expires - issuedAt) * 0.8 || now >= issuedAt + MaxAge;

    private async Task<byte[]> TokenAsync(Pod pod, ServiceAccountTokenProjection projection, CancellationToken ct)
    {
        var uid = pod.Metadata.Uid!;
        var key = (uid, projection.Audience ?? "", projection.ExpirationSeconds ?? 3600);
        var now = time.GetUtcNow();
        _tokens.TryGetValue(key, out var kept);
        if (kept is not null && !NeedsRefresh(kept.IssuedAt, kept.Expires, now))
            return kept.Token;
        try
        {
            var fresh = await RequestAsync(pod, projection, key.Item3, ct);
            _tokens[key] = fresh;
            return fresh.Token;
        }
        catch (VolumeMountException e) when (kept is not null && now < kept.Expires)
        {
            LogRefreshFailed(logger, uid, projection.Path, e.Message, kept.Expires.UtcDateTime);
            return kept.Token;
        }
    }

    private async Task<Kept> RequestAsync(Pod pod, ServiceAccountTokenProjection projection, long seconds, CancellationToken ct)
    {
        var ns = pod.Metadata.Namespace ?? "default";
        var name = pod.Metadata.Name!;
        var account = pod.Spec.ServiceAccountName ?? ServiceAccount.Default;
        var client = link.Client
            ?? throw new VolumeMountException($"failed to fetch token: the control plane is not reachable (serviceaccount {ns}/{account})");
        ImmutableList<string> audiences = string.IsNullOrEmpty(projection.Audience) ? [] : [projection.Audience];
        try
        {
            var issued = await refusals.CallAsync(AgentCall.RequestServiceAccountToken, $"{ns}/{account}",
                () => client.Grains.GetGrain<IServiceAccountTokenGrain>(IServiceAccountTokenGrain.Key)
                    .RequestForPodAsync(link.NodeName, ns, name, audiences, seconds).WaitAsync(ct));
            var granted = issued.Spec.ExpirationSeconds ?? seconds;
            return new Kept(Encoding.ASCII.GetBytes(issued.Token), issued.ExpirationTimestamp.AddSeconds(-granted), issued.ExpirationTimestamp);
        }
        catch (GranaryException e)
        {
            throw new VolumeMountException($"failed to fetch token: {e.Message}");
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            throw new VolumeMountException($"failed to fetch token for serviceaccount {ns}/{account}: the control plane did not answer ({e.Message})");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Uid}: could not refresh the token at {Path} ({Reason}); the current one is used until {Expires:u}")]
    private static partial void LogRefreshFailed(ILogger logger, string uid, string path, string reason, DateTime expires);
}
