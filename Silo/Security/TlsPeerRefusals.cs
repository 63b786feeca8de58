using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace Granary.Silo.Security;

/// <summary>
/// Says why a silo refused a peer's certificate on its Orleans ports: once per port and certificate, so an operator
/// whose new silo or agent cannot connect reads the reason (another CA, a node certificate on the silo port, an expired
/// one) and a peer that keeps retrying does not flood the log.
/// </summary>
internal sealed partial class TlsPeerRefusals(ILogger logger)
{
    // Distinct certificates remembered; past this the memory is cleared (and each is said once more).
    private const int Remembered = 1024;
    private readonly ConcurrentDictionary<(string Port, string Thumbprint), byte> _said = new();

    /// <summary>Whether <paramref name="certificate"/> passes <paramref name="problem"/>; a refusal is logged with its reason.</summary>
    public bool Accept(string port, X509Certificate2 certificate, Func<X509Certificate2, DateTimeOffset, string?> problem)
    {
        if (problem(certificate, DateTimeOffset.UtcNow) is not { } reason)
            return true;
        if (_said.Count >= Remembered)
            _said.Clear();
        if (_said.TryAdd((port, certificate.Thumbprint), 0))
            LogRefused(logger, port, certificate.Subject, reason);
        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a TLS peer on the {Port}: the certificate {Subject} is not accepted there, because {Reason}")]
    private static partial void LogRefused(ILogger logger, string port, string subject, string reason);
}
