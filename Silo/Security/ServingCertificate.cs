using System.Security.Cryptography.X509Certificates;

namespace Granary.Silo.Security;

/// <summary>
/// What the API serves HTTPS with: the certificate (with its private key) and any intermediates after it, plus the
/// CA certificate(s) in PEM that clients should trust, when known (the kubeconfig's certificate-authority-data).
/// </summary>
internal sealed record ServingCertificate(X509Certificate2 Certificate, X509Certificate2Collection Intermediates, string? CaPem, string Source);
