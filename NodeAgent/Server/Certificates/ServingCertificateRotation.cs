using System.Net;
using System.Security.Cryptography;
using Granary.Api;
using Granary.Errors;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.ControlPlane;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Granary.Retry;

namespace Granary.NodeAgent.Server.Certificates;

/// <summary>
/// Gets the agent's serving certificate from the cluster CA once the node is registered (the CA signs only the
/// addresses the Node reports), and renews it by <see cref="ServingRenewal"/>: it looks again when the certificate
/// is due and at least every <see cref="CheckPeriod"/>, to notice a new CA. The key stays on the node; only the
/// signing request travels. Failures are retried with back-off, and the server keeps serving what it has.
/// </summary>
public sealed partial class ServingCertificateRotation(
    ControlPlaneLink link,
    ServingCredentials credentials,
    ControlPlaneRefusals refusals,
    IOptions<AgentSettings> options,
    TimeProvider time,
    ILogger<ServingCertificateRotation> logger) : BackgroundService
{
    public static readonly TimeSpan CheckPeriod = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan NotConnectedPoll = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var nodeName = settings.EffectiveNodeName;
        var nodeIp = IPAddress.Parse(settings.NodeIp);
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            if (link.Node is null || link.Client is not { } client)
            {
                wait = NotConnectedPoll;
            }
            else
            {
                try
                {
                    var authority = client.Grains.GetGrain<IClusterCertificateAuthorityGrain>(IClusterCertificateAuthorityGrain.Key);
                    var authorityPem = await refusals.CallAsync(AgentCall.SignServingCertificate, nodeName, authority.GetAuthorityAsync);
                    var reason = ServingRenewal.Reason(credentials.Current, credentials.TrustsAuthority(authorityPem), nodeName, nodeIp, time.GetUtcNow());
                    if (reason is not null)
                    {
                        // The key lives as long as the certificate that holds it: not disposed here.
                        var key = credentials.LoadOrCreateKey();
                        var issued = await refusals.CallAsync(AgentCall.SignServingCertificate, nodeName,
                            () => authority.SignNodeServingAsync(nodeName, ServingRenewal.Request(key, nodeName, nodeIp)));
                        credentials.Replace(key, issued.CertificatePem, issued.AuthorityPem);
                        LogRenewed(logger, nodeName, reason, credentials.Current!.NotAfter.ToUniversalTime());
                    }
                    var due = ServingRenewal.RenewAt(credentials.Current!) - time.GetUtcNow();
                    wait = due < CheckPeriod ? (due > TimeSpan.Zero ? due : TimeSpan.Zero) : CheckPeriod;
                    backoff.Reset();
                    failing = false;
                }
                catch (Exception e) when (e is OrleansException or GranaryException or TimeoutException or ObjectDisposedException or CryptographicException or IOException or UnauthorizedAccessException)
                {
                    // A refusal is logged by the refusals, with what to fix.
                    if (!failing && e is not ForbiddenException)
                        LogFailed(logger, nodeName, e.Message);
                    failing = true;
                    wait = backoff.Next();
                }
            }
            try
            {
                await Task.Delay(wait, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} has a new serving certificate from the cluster CA ({Reason}), valid until {NotAfter:u}")]
    private static partial void LogRenewed(ILogger logger, string node, string reason, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} could not get a serving certificate from the cluster CA: {Reason}. Retrying with back-off; meanwhile the agent's server keeps the certificate it has, and without one completes no TLS handshake")]
    private static partial void LogFailed(ILogger logger, string node, string reason);
}
