using System.Net;
using Granary.Api;
using Granary.Errors;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Certificates;

/// <summary>
/// The cluster CA (<see cref="IClusterCertificateAuthorityGrain"/>), one activation for the cluster. The CA is made on
/// first use and written to grain storage before it signs anything, so every silo and every later activation signs
/// with the same CA. A CA too close to its end for a certificate's lifetime is replaced; agents and silos notice the
/// new CA certificate on their next check and get new certificates.
/// </summary>
public sealed partial class ClusterCertificateAuthorityGrain(
    [PersistentState(AuthorityState.StateName, StorageNames.Default)] IPersistentState<AuthorityState> state,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<ClusterAuthorityOptions> configured,
    ILogger<ClusterCertificateAuthorityGrain> logger) : Grain, IClusterCertificateAuthorityGrain
{
    private CertificateAuthority? _authority;

    async Task<string> IClusterCertificateAuthorityGrain.GetAuthorityAsync() => (await AuthorityAsync()).CertificatePem;

    async Task<IssuedCertificate> IClusterCertificateAuthorityGrain.SignNodeServingAsync(string nodeName, string certificateRequestPem)
    {
        var node = (Node)await ResourceGrains.GetAsync(GrainFactory, ResourceKinds.Node, nodeName);
        var addresses = (node.Status?.Addresses ?? [])
            .Select(a => IPAddress.TryParse(a.Address, out var ip) ? ip : null)
            .OfType<IPAddress>()
            .ToList();
        var authority = await AuthorityAsync();
        using var certificate = authority.SignNodeServing(nodeName, certificateRequestPem, addresses, time.GetUtcNow());
        LogSigned(logger, certificate.Subject, certificate.NotAfter.ToUniversalTime());
        return new IssuedCertificate(certificate.ExportCertificatePem() + "\n", authority.CertificatePem);
    }

    async Task<IssuedCertificate> IClusterCertificateAuthorityGrain.SignSiloClientAsync(string certificateRequestPem)
    {
        var authority = await AuthorityAsync();
        using var certificate = authority.SignSiloClient(certificateRequestPem, time.GetUtcNow());
        LogSigned(logger, certificate.Subject, certificate.NotAfter.ToUniversalTime());
        return new IssuedCertificate(certificate.ExportCertificatePem() + "\n", authority.CertificatePem);
    }

    /// <summary>The CA: the stored one while it outlives the longest certificate it signs, else a new one, stored first.</summary>
    private async Task<CertificateAuthority> AuthorityAsync()
    {
        // One cluster CA: the operator's (--cluster-ca with --cluster-ca-key) signs here too, and is never replaced here.
        if (configured.Value is { CertificatePem: { } operatorPem, KeyPem: { } operatorKey })
            return _authority ??= CertificateAuthority.Load(operatorPem, operatorKey);
        var now = time.GetUtcNow();
        if (_authority is null && state.State.CertificatePem is { } pem && state.State.KeyPem is { } key)
            _authority = CertificateAuthority.Load(pem, key);
        if (_authority is not null && _authority.Covers(now, CertificateAuthority.NodeServingLifetime))
            return _authority;

        var (fresh, freshKey) = CertificateAuthority.Create(now);
        var replaced = _authority is not null;
        state.State.CertificatePem = fresh.CertificatePem;
        state.State.KeyPem = freshKey;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never sign with a CA that is not stored: another activation would not know it.
            fresh.Dispose();
            await state.ReadStateAsync();
            _authority = null;
            throw new ServiceUnavailableException($"the cluster CA could not be stored ({e.Message}); try again once the grain storage answers");
        }
        _authority?.Dispose();
        _authority = fresh;
        LogCreated(logger, replaced ? "replaced (the old one was near its end)" : "created");
        return fresh;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _authority?.Dispose();
        _authority = null;
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster CA {What}")]
    private static partial void LogCreated(ILogger logger, string what);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster CA signed {Subject}, valid until {NotAfter:u}")]
    private static partial void LogSigned(ILogger logger, string subject, DateTime notAfter);
}

/// <summary>
/// The operator's cluster CA (PEM certificate and key, from the silo's --cluster-ca and --cluster-ca-key). Set: the
/// CA grain signs the agents' serving certificates with it, so one CA stands behind every certificate in the
/// cluster. Unset: the grain makes its own CA and keeps it in grain storage.
/// </summary>
public sealed class ClusterAuthorityOptions
{
    public string? CertificatePem { get; set; }

    public string? KeyPem { get; set; }
}
