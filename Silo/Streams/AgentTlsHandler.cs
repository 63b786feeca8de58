using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Granary.Certificates;
using Granary.Errors;

namespace Granary.Silo.Streams;

/// <summary>
/// The TLS of <see cref="AgentDialer"/>'s connections: before a request it makes sure the silo holds its client
/// certificate; at the handshake it presents that certificate and accepts the agent's only when it chains to the
/// cluster CA (no system roots) and is a node's serving certificate for the address dialed. A failed handshake
/// becomes a 503 naming the node and what was wrong with its certificate (or that it refused ours).
/// </summary>
internal sealed class AgentTlsHandler : DelegatingHandler
{
    private readonly AgentClientCredentials _credentials;
    // Which node each dialed authority belongs to, and the last certificate problem seen per host: for messages only.
    private readonly ConcurrentDictionary<string, string> _nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _problems = new(StringComparer.Ordinal);

    public AgentTlsHandler(AgentClientCredentials credentials, SocketsHttpHandler inner) : base(inner)
    {
        _credentials = credentials;
        inner.SslOptions = new SslClientAuthenticationOptions
        {
            // Asked at every handshake, so a renewed certificate is used from the next connection on.
            LocalCertificateSelectionCallback = (_, _, _, _, _) => credentials.Certificate!,
            RemoteCertificateValidationCallback = AcceptsAgent,
        };
    }

    /// <summary>Remembers that <paramref name="authority"/> (ADDRESS:PORT) is node <paramref name="node"/>'s agent.</summary>
    public void Dialing(string authority, string node) => _nodes[authority] = node;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await _credentials.EnsureAsync(cancellationToken);
        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e) when (Innermost<AuthenticationException>(e) is not null && request.RequestUri is { } uri)
        {
            throw Unavailable(uri, e);
        }
    }

    private bool AcceptsAgent(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var host = (sender as SslStream)?.TargetHostName.Trim('[', ']') ?? "";
        var problem = Problem(host, certificate);
        if (problem is null)
        {
            _problems.TryRemove(host, out _);
            return true;
        }
        _problems[host] = problem;
        return false;
    }

    private string? Problem(string host, X509Certificate? presented)
    {
        if (presented is null)
            return "it presented no certificate";
        if (!IPAddress.TryParse(host, out var address))
            return $"the dialed host \"{host}\" is not an address; agents are dialed at their node's InternalIP";
        if (_credentials.Authority is not { } authority)
            return "this silo has no cluster CA certificate yet";
        var certificate = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        return ClusterIdentities.NodeServingProblem(certificate, authority, address, nodeName: null, _credentials.Time.GetUtcNow());
    }

    private ServiceUnavailableException Unavailable(Uri uri, HttpRequestException e)
    {
        var node = _nodes.TryGetValue(uri.Authority, out var name) ? $"node \"{name}\"" : "the node";
        var problem = _problems.TryRemove(uri.Host.Trim('[', ']'), out var seen)
            ? $"its certificate was refused: {seen}"
            : $"the agent refused this silo's certificate or has none of its own yet ({Messages(e)})";
        return new ServiceUnavailableException(
            $"the TLS handshake with the agent of {node} at {uri.Authority} failed: {problem}. The agent gets its serving certificate from the cluster CA once its node is registered; see the agent's log");
    }

    private static T? Innermost<T>(Exception e) where T : Exception
    {
        T? found = null;
        for (Exception? current = e; current is not null; current = current.InnerException)
            if (current is T match)
                found = match;
        return found;
    }

    private static string Messages(Exception e)
    {
        var messages = new List<string>();
        for (Exception? current = e.InnerException ?? e; current is not null; current = current.InnerException)
            messages.Add(current.Message.TrimEnd('.'));
        return string.Join(": ", messages.Distinct());
    }
}
