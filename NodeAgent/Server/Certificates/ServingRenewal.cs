using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Granary.Certificates;

namespace Granary.NodeAgent.Server.Certificates;

/// <summary>
/// When the agent asks for a new serving certificate, pure: when it has none, when the cluster CA changed, when a
/// third of the certificate's life is left (as the kubelet's certificate manager rotates), or when the node's name or
/// address no longer match it. And the signing request it sends: CN=system:node:NAME, O=system:nodes, the node's name
/// and address as subject alternative names.
/// </summary>
public static class ServingRenewal
{
    /// <summary>Why a new certificate is needed now, or null when <paramref name="current"/> still serves.</summary>
    public static string? Reason(X509Certificate2? current, bool authorityUnchanged, string nodeName, IPAddress nodeIp, DateTimeOffset now)
    {
        if (current is null)
            return "the agent has none yet";
        if (!authorityUnchanged)
            return "the cluster CA changed";
        if (now >= RenewAt(current))
            return $"a third of its life is left (it ends {current.NotAfter.ToUniversalTime():u})";
        var names = ClusterIdentities.CommonNames(current.SubjectName);
        if (names.Count != 1 || names[0] != ClusterIdentities.NodeUser(nodeName))
            return $"it names {current.Subject}, not {ClusterIdentities.NodeUser(nodeName)}";
        var addresses = current.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(s => s.EnumerateIPAddresses());
        if (!addresses.Contains(nodeIp))
            return $"it is not valid for the node's address {nodeIp}";
        return null;
    }

    /// <summary>When two thirds of <paramref name="certificate"/>'s life have passed.</summary>
    public static DateTimeOffset RenewAt(X509Certificate2 certificate)
    {
        var from = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var until = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        return from + (until - from) * 2 / 3;
    }

    /// <summary>The signing request (PEM) for node <paramref name="nodeName"/> at <paramref name="nodeIp"/> with <paramref name="key"/>.</summary>
    public static string Request(ECDsa key, string nodeName, IPAddress nodeIp)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(ClusterIdentities.NodeUser(nodeName));
        subject.AddOrganizationName(ClusterIdentities.NodesGroup);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(nodeName);
        names.AddIpAddress(nodeIp);
        request.CertificateExtensions.Add(names.Build(critical: false));
        return request.CreateSigningRequestPem();
    }
}
