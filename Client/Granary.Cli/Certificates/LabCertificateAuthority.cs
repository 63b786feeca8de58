using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Granary.Certificates;
using Granary.Tools;

namespace Granary.Cli.Certificates;

/// <summary>What <c>granary certs</c> makes: a certificate of one role, and who it names.</summary>
public enum LabRole { Silo, Node, User }

/// <summary>
/// A lab certificate authority in a folder, as kubeadm's and k3s' generated PKI: <c>ca.crt</c>/<c>ca.key</c> and, per
/// identity, <c>ROLE-NAME.crt</c>/<c>.key</c> (PEM, keys 0600). Subjects follow Kubernetes' x509 mapping (CN is the
/// user, each O a group): silos CN=granary-silo-NAME, O=system:masters with server and client authentication and
/// their addresses; nodes CN=system:node:NAME, O=system:nodes, client and server authentication (the node agent's
/// serving certificate may be this one); users CN=NAME, O=each group, client authentication only.
/// </summary>
public sealed class LabCertificateAuthority : IDisposable
{
    public const string CertificateFile = "ca.crt";
    public const string KeyFile = "ca.key";
    public static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(365);
    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    private readonly X509Certificate2 _authority;

    private LabCertificateAuthority(string dir, X509Certificate2 authority)
    {
        Dir = dir;
        _authority = authority;
    }

    public string Dir { get; }

    public string CertificatePath => Path.Combine(Dir, CertificateFile);

    public string KeyPath => Path.Combine(Dir, KeyFile);

    public string Subject => _authority.Subject;

    /// <summary>Opens the CA in <paramref name="dir"/>; throws <see cref="LabCertificateException"/> saying how to make one when it is missing.</summary>
    public static LabCertificateAuthority Open(string dir)
    {
        var certificate = Path.Combine(dir, CertificateFile);
        var key = Path.Combine(dir, KeyFile);
        if (!File.Exists(certificate) || !File.Exists(key))
            throw new LabCertificateException($"no cluster CA in {dir} ({CertificateFile} and {KeyFile}): run granary certs ca --dir {dir} first");
        try
        {
            return new LabCertificateAuthority(dir, X509Certificate2.CreateFromPemFile(certificate, key));
        }
        catch (CryptographicException e)
        {
            throw new LabCertificateException($"{certificate} and {key} are not a PEM certificate and its private key: {e.Message}");
        }
    }

    /// <summary>
    /// Makes a CA in <paramref name="dir"/> unless one is there (then it is kept, and <c>Created</c> is false), or
    /// replaces it when <paramref name="force"/> is set.
    /// </summary>
    public static (LabCertificateAuthority Authority, bool Created) CreateOrOpen(string dir, bool force, DateTimeOffset now)
    {
        Directory.CreateDirectory(dir);
        if (!force && File.Exists(Path.Combine(dir, CertificateFile)) && File.Exists(Path.Combine(dir, KeyFile)))
            return (Open(dir), false);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = ClusterIdentities.SelfSignedAuthority(key, now, Backdate, AuthorityLifetime);
        WriteKeyPair(Path.Combine(dir, CertificateFile), certificate.ExportCertificatePem() + "\n", Path.Combine(dir, KeyFile), key.ExportPkcs8PrivateKeyPem() + "\n");
        return (Open(dir), true);
    }

    /// <summary>The file name stem of a role's certificate: silo-NAME, node-NAME, user-NAME.</summary>
    public static string Stem(LabRole role, string name) => $"{role.ToString().ToLowerInvariant()}-{name}";

    /// <summary>
    /// Issues the certificate of <paramref name="name"/> in <paramref name="role"/> into DIR/ROLE-NAME.crt/.key
    /// (replacing an older one) and returns its paths and subject.
    /// </summary>
    public LabCertificate Issue(LabRole role, string name, IReadOnlyList<IPAddress> addresses, IReadOnlyList<string> groups, DateTimeOffset now)
    {
        if (LabNames.Problem(role, name, groups) is { } problem)
            throw new LabCertificateException(problem);
        var (commonName, organizations, usages) = role switch
        {
            LabRole.Silo => (ClusterIdentities.SiloUserPrefix + name, (IReadOnlyList<string>)[ClusterIdentities.MastersGroup], new OidCollection { ClusterIdentities.ServerAuth, ClusterIdentities.ClientAuth }),
            LabRole.Node => (ClusterIdentities.NodeUser(name), [ClusterIdentities.NodesGroup], new OidCollection { ClusterIdentities.ClientAuth, ClusterIdentities.ServerAuth }),
            _ => (name, groups, new OidCollection { ClusterIdentities.ClientAuth }),
        };

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var organization in organizations)
            subject.AddOrganizationName(organization);
        subject.AddCommonName(commonName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (role != LabRole.User)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(role == LabRole.Node ? name : commonName);
            foreach (var address in addresses.Distinct())
                names.AddIpAddress(address);
            request.CertificateExtensions.Add(names.Build(critical: false));
        }
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var notAfter = now + LeafLifetime;
        var authorityEnd = new DateTimeOffset(_authority.NotAfter.ToUniversalTime());
        using var certificate = request.Create(_authority, now - Backdate, notAfter < authorityEnd ? notAfter : authorityEnd, serial);

        var stem = Stem(role, name);
        var certificatePath = Path.Combine(Dir, stem + ".crt");
        var keyPath = Path.Combine(Dir, stem + ".key");
        WriteKeyPair(certificatePath, certificate.ExportCertificatePem() + "\n", keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        return new LabCertificate(certificatePath, keyPath, certificate.Subject, certificate.NotAfter.ToUniversalTime());
    }

    private static void WriteKeyPair(string certificatePath, string certificatePem, string keyPath, string keyPem)
    {
        // Through a temporary file created with its final mode: a key is never readable by others, not even for an instant.
        PrivateFile.Replace(keyPath, keyPem, PrivateFile.OwnerOnly);
        PrivateFile.Replace(certificatePath, certificatePem, PrivateFile.WorldReadable);
    }

    public void Dispose() => _authority.Dispose();
}

/// <summary>An issued certificate: where its files are and what it says.</summary>
public sealed record LabCertificate(string CertificatePath, string KeyPath, string Subject, DateTime NotAfter);

public sealed class LabCertificateException(string message) : Exception(message);

/// <summary>Which names each role may take, so that no certificate can pass for another role.</summary>
public static class LabNames
{
    public static string? Problem(LabRole role, string name, IReadOnlyList<string> groups)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => char.IsControl(c) || c is '/' or '\\') || name.StartsWith('.'))
            return $"\"{name}\" cannot name a certificate: use letters, digits, '-', '.', ':' or '@' (it is also the file name)";
        if (role is LabRole.Silo or LabRole.Node && !System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"))
            return $"\"{name}\" is not a valid {role.ToString().ToLowerInvariant()} name: lower case letters, digits, '-' and '.' (a DNS subdomain, as node names are)";
        if (role != LabRole.User)
            return groups.Count > 0 ? $"--group is for user certificates; a {role.ToString().ToLowerInvariant()} certificate's group is fixed" : null;
        if (name.StartsWith(ClusterIdentities.SiloUserPrefix, StringComparison.Ordinal))
            return $"user \"{name}\" would pass for a silo: names starting with {ClusterIdentities.SiloUserPrefix} are the silos' (granary certs silo NAME)";
        if (name.StartsWith("system:", StringComparison.Ordinal))
            return $"user \"{name}\" is in the reserved system: namespace of user names; nodes get theirs from granary certs node NAME";
        if (groups.Contains(ClusterIdentities.NodesGroup))
            return $"group {ClusterIdentities.NodesGroup} is the nodes' (granary certs node NAME)";
        return groups.FirstOrDefault(g => string.IsNullOrWhiteSpace(g)) is not null ? "--group needs a group name" : null;
    }
}
