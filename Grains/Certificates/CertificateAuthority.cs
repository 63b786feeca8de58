using System.Collections.Immutable;
using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Granary.Certificates;
using Granary.Errors;

namespace Granary.Grains.Certificates;

/// <summary>
/// The cluster CA's rules, pure: creating the CA, and signing a node's serving certificate or a silo's client
/// certificate from a signing request. A request only proposes a key and names; what the certificate says (its
/// usages, its lifetime, which names survive) is decided here, and a request that asks for anything else is refused
/// whole, naming what was wrong.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    public static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan NodeServingLifetime = TimeSpan.FromDays(90);
    public static readonly TimeSpan SiloClientLifetime = TimeSpan.FromHours(24);
    // Another machine's clock may be slightly behind: certificates are valid from a little before they were signed.
    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    private const string RequestKind = "CertificateSigningRequest";
    private const string RequestField = "spec.request";

    private readonly X509Certificate2 _authority;

    private CertificateAuthority(X509Certificate2 authority)
    {
        _authority = authority;
        CertificatePem = authority.ExportCertificatePem() + "\n";
    }

    /// <summary>The CA certificate, PEM.</summary>
    public string CertificatePem { get; }

    /// <summary>A new CA (ECDSA P-256), valid for <see cref="AuthorityLifetime"/> from <paramref name="now"/>; returns its key PEM too.</summary>
    public static (CertificateAuthority Authority, string KeyPem) Create(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = ClusterIdentities.SelfSignedAuthority(key, now, Backdate, AuthorityLifetime);
        return (Load(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem()), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>The CA kept in storage: its certificate and key, PEM.</summary>
    public static CertificateAuthority Load(string certificatePem, string keyPem) =>
        new(X509Certificate2.CreateFromPem(certificatePem, keyPem));

    /// <summary>Whether the CA is still good for a certificate of <paramref name="lifetime"/> at <paramref name="now"/>.</summary>
    public bool Covers(DateTimeOffset now, TimeSpan lifetime) => _authority.NotAfter.ToUniversalTime() >= (now + lifetime).UtcDateTime;

    /// <summary>
    /// Signs the serving certificate of node <paramref name="nodeName"/>: subject CN=system:node:NAME, O=system:nodes;
    /// names the node's name (DNS) and only addresses among <paramref name="nodeAddresses"/>, at least one; server
    /// authentication only. Throws <see cref="InvalidException"/> naming the problem.
    /// </summary>
    public X509Certificate2 SignNodeServing(string nodeName, string requestPem, IReadOnlyCollection<IPAddress> nodeAddresses, DateTimeOffset now)
    {
        var name = ClusterIdentities.NodeUser(nodeName);
        var request = Parse(name, requestPem);
        var problems = ImmutableList.CreateBuilder<FieldError>();
        CheckSubject(request, name, ClusterIdentities.NodesGroup, problems);
        CheckKey(request, problems);

        var requested = request.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>().ToList();
        var dns = requested.SelectMany(s => s.EnumerateDnsNames()).ToList();
        var ips = requested.SelectMany(s => s.EnumerateIPAddresses()).ToList();
        foreach (var other in dns.Where(d => d != nodeName))
            problems.Add(FieldError.Forbidden(RequestField, $"the DNS name \"{other}\" is not the node's name \"{nodeName}\""));
        foreach (var other in ips.Where(a => !nodeAddresses.Contains(a)))
            problems.Add(FieldError.Forbidden(RequestField,
                $"the address {other} is not one of node {nodeName}'s addresses ({string.Join(", ", nodeAddresses)}); the node reports its addresses in status.addresses"));
        if (ips.Count == 0)
            problems.Add(FieldError.Required($"{RequestField} (an IP address subject alternative name)"));
        if (requested.Count > 0 && SubjectAlternativeNameCount(requested) != dns.Count + ips.Count)
            problems.Add(FieldError.Forbidden(RequestField, "only DNS names and IP addresses may be asked for"));
        Refuse(name, problems);

        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(nodeName);
        foreach (var address in ips.Distinct())
            names.AddIpAddress(address);
        return Issue(request, ClusterIdentities.ServerAuth, names.Build(critical: false), NodeServingLifetime, now);
    }

    /// <summary>
    /// Signs a silo's client certificate: subject CN=granary-silo-NAME, O=system:masters; client authentication only,
    /// for <see cref="SiloClientLifetime"/>. Throws <see cref="InvalidException"/> naming the problem.
    /// </summary>
    public X509Certificate2 SignSiloClient(string requestPem, DateTimeOffset now)
    {
        var request = Parse("silo", requestPem);
        var commonNames = ClusterIdentities.CommonNames(request.SubjectName);
        var name = commonNames.Count == 1 ? commonNames[0] : "silo";
        var problems = ImmutableList.CreateBuilder<FieldError>();
        if (commonNames.Count != 1 || !name.StartsWith(ClusterIdentities.SiloUserPrefix, StringComparison.Ordinal) || name.Length == ClusterIdentities.SiloUserPrefix.Length)
            problems.Add(FieldError.Invalid($"{RequestField} (subject CN)", request.SubjectName.Name, $"a silo's certificate names CN={ClusterIdentities.SiloUserPrefix}NAME"));
        else
            CheckSubject(request, name, ClusterIdentities.MastersGroup, problems);
        CheckKey(request, problems);
        if (request.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>().Any())
            problems.Add(FieldError.Forbidden(RequestField, "a silo's client certificate names no subject alternative names"));
        Refuse(name, problems);
        return Issue(request, ClusterIdentities.ClientAuth, null, SiloClientLifetime, now);
    }

    private X509Certificate2 Issue(CertificateRequest requested, Oid usage, X509Extension? names, TimeSpan lifetime, DateTimeOffset now)
    {
        // A fresh request from the proposed subject and key: nothing else the requester asked for is copied.
        var request = new CertificateRequest(requested.SubjectName, requested.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        var keyUsage = requested.PublicKey.Oid.Value == RsaOid
            ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment
            : X509KeyUsageFlags.DigitalSignature;
        request.CertificateExtensions.Add(new X509KeyUsageExtension(keyUsage, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (names is not null)
            request.CertificateExtensions.Add(names);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        var notAfter = now + lifetime;
        var authorityEnd = new DateTimeOffset(_authority.NotAfter.ToUniversalTime());
        return request.Create(_authority, now - Backdate, notAfter < authorityEnd ? notAfter : authorityEnd, serial);
    }

    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    private static CertificateRequest Parse(string name, string requestPem)
    {
        try
        {
            // The request's own signature is verified: whoever sent it holds the key it proposes.
            return CertificateRequest.LoadSigningRequestPem(requestPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new InvalidException(RequestKind, name, [FieldError.Invalid(RequestField, null, $"not a PEM certificate signing request (PKCS#10) with a valid signature: {e.Message}")]);
        }
    }

    private static void CheckSubject(CertificateRequest request, string commonName, string group, ImmutableList<FieldError>.Builder problems)
    {
        var names = ClusterIdentities.CommonNames(request.SubjectName);
        if (names.Count != 1 || names[0] != commonName)
            problems.Add(FieldError.Invalid($"{RequestField} (subject CN)", request.SubjectName.Name, $"must be CN={commonName}"));
        var groups = ClusterIdentities.Organizations(request.SubjectName);
        if (groups.Count != 1 || groups[0] != group)
            problems.Add(FieldError.Invalid($"{RequestField} (subject O)", request.SubjectName.Name, $"must be O={group} and no other group"));
    }

    private static void CheckKey(CertificateRequest request, ImmutableList<FieldError>.Builder problems)
    {
        var key = request.PublicKey;
        if (key.Oid.Value == RsaOid)
        {
            using var rsa = key.GetRSAPublicKey();
            if (rsa is null || rsa.KeySize < 2048)
                problems.Add(FieldError.Invalid($"{RequestField} (public key)", null, $"an RSA key of {rsa?.KeySize ?? 0} bits is too weak: use 2048 bits or more, or ECDSA P-256"));
            return;
        }
        if (key.Oid.Value == EcOid)
        {
            using var ec = key.GetECDsaPublicKey();
            if (ec is null || ec.KeySize < 256)
                problems.Add(FieldError.Invalid($"{RequestField} (public key)", null, "an ECDSA key must be on P-256, P-384 or P-521"));
            return;
        }
        problems.Add(FieldError.Unsupported($"{RequestField} (public key)", key.Oid.FriendlyName ?? key.Oid.Value ?? "unknown", ["RSA", "ECDSA"]));
    }

    /// <summary>How many names (of any kind: DNS, IP, URI, e-mail, …) the extensions hold.</summary>
    private static int SubjectAlternativeNameCount(IEnumerable<X509SubjectAlternativeNameExtension> extensions)
    {
        var count = 0;
        foreach (var extension in extensions)
        {
            // SubjectAltName ::= SEQUENCE OF GeneralName
            var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (names.HasData)
            {
                names.ReadEncodedValue();
                count++;
            }
        }
        return count;
    }

    private static void Refuse(string name, ImmutableList<FieldError>.Builder problems)
    {
        if (problems.Count > 0)
            throw new InvalidException(RequestKind, name, problems.ToImmutable());
    }

    public void Dispose() => _authority.Dispose();
}
