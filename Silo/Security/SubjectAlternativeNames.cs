using System.Collections.Immutable;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Granary.Silo.Security;

/// <summary>
/// The names a generated serving certificate is valid for: localhost, 127.0.0.1, the API's listen address (or the
/// loopback address the kubeconfig uses when it listens on a wildcard), the machine's host name, and, as kube-apiserver's
/// certificate has them, the kubernetes service's cluster IP and DNS names, which in-cluster clients dial.
/// </summary>
internal sealed record SubjectAlternativeNames(ImmutableArray<string> DnsNames, ImmutableArray<IPAddress> Addresses)
{
    /// <summary>The names in-cluster clients reach the API by (the kubernetes service in default).</summary>
    public static readonly ImmutableArray<string> KubernetesServiceNames =
        ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"];

    public static SubjectAlternativeNames For(IPAddress apiAddress, string hostName, IPAddress? kubernetesServiceAddress = null)
    {
        var dns = new List<string> { "localhost" };
        var addresses = new List<IPAddress> { IPAddress.Loopback };
        if (kubernetesServiceAddress is not null)
        {
            Add(addresses, kubernetesServiceAddress);
            dns.AddRange(KubernetesServiceNames);
        }
        Add(addresses, apiAddress.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : apiAddress);
        var host = hostName.Trim().TrimEnd('.').ToLowerInvariant();
        if (IPAddress.TryParse(host, out var hostAddress))
            Add(addresses, hostAddress);
        // A host name that is no valid DNS name (some machines allow odd characters) cannot be a SAN: left out.
        else if (Uri.CheckHostName(host) == UriHostNameType.Dns && !dns.Contains(host))
            dns.Add(host);
        return new SubjectAlternativeNames([.. dns], [.. addresses]);
    }

    /// <summary>Whether <paramref name="certificate"/> is valid for every one of these names.</summary>
    public bool CoveredBy(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions.FirstOrDefault(e => e.Oid?.Value == SanOid);
        if (extension is null)
            return false;
        var san = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
        var dns = san.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var addresses = san.EnumerateIPAddresses().ToHashSet();
        return DnsNames.All(dns.Contains) && Addresses.All(addresses.Contains);
    }

    public X509Extension ToExtension()
    {
        var builder = new SubjectAlternativeNameBuilder();
        foreach (var name in DnsNames)
            builder.AddDnsName(name);
        foreach (var address in Addresses)
            builder.AddIpAddress(address);
        return builder.Build(critical: false);
    }

    public override string ToString() => string.Join(", ", DnsNames.Concat(Addresses.Select(a => a.ToString())));

    private const string SanOid = "2.5.29.17";

    private static void Add(List<IPAddress> addresses, IPAddress address)
    {
        if (!address.Equals(IPAddress.Any) && !addresses.Contains(address))
            addresses.Add(address);
    }
}
