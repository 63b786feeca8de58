using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Granary.Certificates;

/// <summary>
/// Who the cluster CA's certificates name, and how each end of the silo–agent channel checks the other's: an agent's
/// server presents CN=system:node:NAME, O=system:nodes (the kubelet's serving identity) for the node's name and
/// address; a silo presents CN=granary-silo-NAME, O=system:masters with client authentication only. The issuer
/// (the CA grain), the agent and the silo all need these rules, and this assembly is the one they share.
/// </summary>
public static class ClusterIdentities
{
    public const string NodeUserPrefix = "system:node:";
    public const string NodesGroup = "system:nodes";
    public const string SiloUserPrefix = "granary-silo-";
    public const string MastersGroup = "system:masters";

    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "serverAuth");
    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2", "clientAuth");

    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationOid = "2.5.4.10";

    public static string NodeUser(string nodeName) => NodeUserPrefix + nodeName;

    /// <summary>
    /// A new self-signed cluster CA certificate for <paramref name="key"/>: CA:TRUE with path length 0, signing
    /// certificates only. The CA grain and <c>granary certs ca</c> make theirs alike, so either can be the cluster's.
    /// </summary>
    public static X509Certificate2 SelfSignedAuthority(ECDsa key, DateTimeOffset now, TimeSpan backdate, TimeSpan lifetime)
    {
        var request = new CertificateRequest($"CN=granary-cluster-ca@{now.ToUnixTimeSeconds()}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(now - backdate, now + lifetime);
    }

    /// <summary>The subject's common names (CN), in order.</summary>
    public static IReadOnlyList<string> CommonNames(X500DistinguishedName subject) => Attributes(subject, CommonNameOid);

    /// <summary>The subject's organizations (O, the groups a Kubernetes client certificate names), in order.</summary>
    public static IReadOnlyList<string> Organizations(X500DistinguishedName subject) => Attributes(subject, OrganizationOid);

    /// <summary>Why <paramref name="certificate"/> is not a silo's client certificate from <paramref name="authority"/>, or null when it is.</summary>
    public static string? SiloClientProblem(X509Certificate2 certificate, X509Certificate2 authority, DateTimeOffset now)
    {
        if (ChainProblem(certificate, authority, ClientAuth, now) is { } chain)
            return chain;
        var names = CommonNames(certificate.SubjectName);
        if (names.Count != 1 || !names[0].StartsWith(SiloUserPrefix, StringComparison.Ordinal))
            return $"its subject \"{certificate.Subject}\" does not name a silo (CN={SiloUserPrefix}NAME)";
        if (!Organizations(certificate.SubjectName).Contains(MastersGroup))
            return $"its subject \"{certificate.Subject}\" is not in the group O={MastersGroup}";
        return null;
    }

    /// <summary>
    /// Why <paramref name="certificate"/> is not a silo's certificate for the silo and gateway ports (the side that
    /// listens: server authentication, CN=granary-silo-NAME, O=system:masters) from <paramref name="authority"/>, or null.
    /// </summary>
    public static string? SiloServerProblem(X509Certificate2 certificate, X509Certificate2 authority, DateTimeOffset now)
    {
        if (ChainProblem(certificate, authority, ServerAuth, now) is { } chain)
            return chain;
        var names = CommonNames(certificate.SubjectName);
        if (names.Count != 1 || !names[0].StartsWith(SiloUserPrefix, StringComparison.Ordinal))
            return $"its subject \"{certificate.Subject}\" does not name a silo (CN={SiloUserPrefix}NAME)";
        return Organizations(certificate.SubjectName).Contains(MastersGroup) ? null : $"its subject \"{certificate.Subject}\" is not in the group O={MastersGroup}";
    }

    /// <summary>Whether <paramref name="certificate"/> is a silo's own (both usages, a silo subject), which no user or node certificate can be.</summary>
    public static bool IsSiloCertificate(X509Certificate2 certificate, X509Certificate2 authority, DateTimeOffset now) =>
        SiloServerProblem(certificate, authority, now) is null && SiloClientProblem(certificate, authority, now) is null;

    /// <summary>
    /// Why <paramref name="certificate"/> is not the serving certificate of the node at <paramref name="address"/>
    /// (and named <paramref name="nodeName"/> when given) from <paramref name="authority"/>, or null when it is.
    /// </summary>
    public static string? NodeServingProblem(X509Certificate2 certificate, X509Certificate2 authority, IPAddress address, string? nodeName, DateTimeOffset now)
    {
        if (ChainProblem(certificate, authority, ServerAuth, now) is { } chain)
            return chain;
        var names = CommonNames(certificate.SubjectName);
        if (names.Count != 1 || !names[0].StartsWith(NodeUserPrefix, StringComparison.Ordinal))
            return $"its subject \"{certificate.Subject}\" does not name a node (CN={NodeUserPrefix}NAME)";
        if (nodeName is not null && names[0] != NodeUser(nodeName))
            return $"it is the certificate of {names[0]}, not of {NodeUser(nodeName)}";
        if (!Organizations(certificate.SubjectName).Contains(NodesGroup))
            return $"its subject \"{certificate.Subject}\" is not in the group O={NodesGroup}";
        var addresses = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(s => s.EnumerateIPAddresses()).ToList();
        if (!addresses.Contains(address))
            return $"it is not valid for the node's address {address} (its addresses: {(addresses.Count == 0 ? "none" : string.Join(", ", addresses))})";
        return null;
    }

    /// <summary>
    /// Why <paramref name="certificate"/> does not chain to <paramref name="authority"/> alone (no system roots) for
    /// <paramref name="usage"/> at <paramref name="now"/>, or null when it does.
    /// </summary>
    public static string? ChainProblem(X509Certificate2 certificate, X509Certificate2 authority, Oid usage, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        // A copy of the CA: the chain's disposal may take what its policy holds, and the caller keeps its own.
        using var root = X509CertificateLoader.LoadCertificate(authority.RawData);
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(usage);
        if (chain.Build(certificate))
            return null;
        var statuses = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct();
        return $"it does not chain to the cluster CA \"{authority.Subject}\" for {usage.FriendlyName}: {string.Join("; ", statuses)}";
    }

    private static IReadOnlyList<string> Attributes(X500DistinguishedName subject, string oid) =>
        [.. subject.EnumerateRelativeDistinguishedNames()
            .Where(r => !r.HasMultipleElements && r.GetSingleElementType().Value == oid)
            .Select(r => r.GetSingleElementValue() ?? "")];
}
