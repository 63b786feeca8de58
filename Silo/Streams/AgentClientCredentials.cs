using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Granary.Api;
using Granary.Certificates;
using Granary.Errors;

namespace Granary.Silo.Streams;

/// <summary>
/// This silo's side of the channel to node agents: its client certificate (CN=granary-silo-HOST, O=system:masters,
/// signed by the cluster CA for a day, its key only in this process's memory) and the cluster CA certificate that an
/// agent's serving certificate must chain to. Obtained on first use, renewed when a third of its life is left, and
/// the CA looked at again every <see cref="AuthorityRefresh"/> so a new CA is followed.
/// </summary>
public sealed class AgentClientCredentials(IGrainFactory grains, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan AuthorityRefresh = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Held? _held;

    /// <summary>This silo's name in its certificate.</summary>
    public string CommonName { get; } = ClusterIdentities.SiloUserPrefix + Dns.GetHostName();

    /// <summary>The client certificate (with its key), or null before <see cref="EnsureAsync"/> first succeeded.</summary>
    public X509Certificate2? Certificate => _held?.Certificate;

    /// <summary>The cluster CA certificate, or null before <see cref="EnsureAsync"/> first succeeded.</summary>
    public X509Certificate2? Authority => _held?.Authority;

    public TimeProvider Time => time;

    /// <summary>
    /// Makes sure a current certificate and CA are held. While the cluster CA cannot be reached a certificate still
    /// valid is kept; without one this is a 503 saying so.
    /// </summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        if (Fresh(_held, time.GetUtcNow()))
            return;
        await _gate.WaitAsync(ct);
        try
        {
            var held = _held;
            var now = time.GetUtcNow();
            if (Fresh(held, now))
                return;
            try
            {
                _held = await RefreshAsync(held, now, ct);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or GranaryException)
            {
                if (held is not null && now < new DateTimeOffset(held.Certificate.NotAfter.ToUniversalTime()))
                    return;
                throw new ServiceUnavailableException(
                    $"this silo has no client certificate for node agents: the cluster CA did not answer ({e.Message}); try again shortly");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool Fresh(Held? held, DateTimeOffset now) => held is not null && now < held.RenewAt && now < held.CheckedAt + AuthorityRefresh;

    private async Task<Held> RefreshAsync(Held? held, DateTimeOffset now, CancellationToken ct)
    {
        var authority = grains.GetGrain<IClusterCertificateAuthorityGrain>(IClusterCertificateAuthorityGrain.Key);
        var authorityPem = await authority.GetAuthorityAsync().WaitAsync(ct);
        if (held is not null && held.AuthorityPem == authorityPem.Trim() && now < held.RenewAt)
            return held with { CheckedAt = now };

        // The key is never written anywhere nor sent: only the signing request leaves this process.
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(CommonName);
        subject.AddOrganizationName(ClusterIdentities.MastersGroup);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var issued = await authority.SignSiloClientAsync(request).WaitAsync(ct);
        using var signed = X509Certificate2.CreateFromPem(issued.CertificatePem);
        var certificate = signed.CopyWithPrivateKey(key);
        var from = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var until = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        return new Held(certificate, X509Certificate2.CreateFromPem(issued.AuthorityPem), issued.AuthorityPem.Trim(), from + (until - from) * 2 / 3, now);
    }

    public void Dispose() => _gate.Dispose();

    private sealed record Held(X509Certificate2 Certificate, X509Certificate2 Authority, string AuthorityPem, DateTimeOffset RenewAt, DateTimeOffset CheckedAt);
}
