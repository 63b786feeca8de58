using System.Collections.Concurrent;
using System.Net;
using Granary.Cli.Certificates;
using Granary.Client;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// The lab certificates of one test cluster, made by <c>granary certs</c>' code: a cluster CA in a temp folder, the
/// silos' certificate (127.0.0.1), a node certificate per node name, and users (an admin in system:masters). One per
/// Redis server, that is one per fixture: every Redis-backed silo, agent, SDK client and CLI run of the fixture is
/// given its files; the folder goes with the Redis server.
/// </summary>
public sealed class LabPki : IDisposable
{
    private static readonly ConcurrentDictionary<string, Lazy<LabPki>> ByRedis = new(StringComparer.Ordinal);
    private readonly LabCertificateAuthority _authority;
    private readonly ConcurrentDictionary<string, Lazy<LabCertificate>> _issued = new(StringComparer.Ordinal);
    private readonly object _issuing = new();

    public LabPki()
    {
        Dir = Directory.CreateTempSubdirectory("granary-pki-").FullName;
        _authority = LabCertificateAuthority.CreateOrOpen(Dir, force: false, DateTimeOffset.UtcNow).Authority;
    }

    /// <summary>The PKI of the cluster on <paramref name="redis"/> (made on first use).</summary>
    public static LabPki For(string redis) => ByRedis.GetOrAdd(redis, _ => new Lazy<LabPki>(() => new LabPki())).Value;

    /// <summary>Deletes the PKI of <paramref name="redis"/> (its Redis server is gone).</summary>
    public static void Release(string redis)
    {
        if (ByRedis.TryRemove(redis, out var pki) && pki.IsValueCreated)
            pki.Value.Dispose();
    }

    public string Dir { get; }

    public string CaPath => _authority.CertificatePath;

    /// <summary>The cluster CA's key (for a silo given <c>--cluster-ca-key</c>).</summary>
    public string CaKeyPath => _authority.KeyPath;

    public LabCertificate Silo => Issue(LabRole.Silo, "test", []);

    public LabCertificate Admin => Issue(LabRole.User, "admin", ["system:masters"]);

    public LabCertificate Node(string name, string? address = null) =>
        Issue(LabRole.Node, name, [], address is null ? [IPAddress.Loopback] : [IPAddress.Parse(address), IPAddress.Loopback]);

    public LabCertificate User(string name, params string[] groups) => Issue(LabRole.User, name, groups);

    /// <summary>The silo's mutual TLS flags.</summary>
    public string[] SiloArguments => ["--cluster-ca", CaPath, "--tls-certificate", Silo.CertificatePath, "--tls-key", Silo.KeyPath];

    /// <summary>An agent's mutual TLS flags for node <paramref name="name"/>.</summary>
    public string[] NodeArguments(string name, string? address = null)
    {
        var node = Node(name, address);
        return ["--cluster-ca", CaPath, "--tls-certificate", node.CertificatePath, "--tls-key", node.KeyPath];
    }

    /// <summary><paramref name="options"/> as the admin (system:masters), or as <paramref name="as"/>.</summary>
    public GranaryClientOptions Client(GranaryClientOptions options, LabCertificate? @as = null)
    {
        var user = @as ?? Admin;
        return options with { ClusterCa = CaPath, TlsCertificate = user.CertificatePath, TlsKey = user.KeyPath };
    }

    /// <summary>The CLI's environment for the admin.</summary>
    public IEnumerable<KeyValuePair<string, string>> AdminEnvironment =>
    [
        new("GRANARY_CLUSTER_CA", CaPath), new("GRANARY_TLS_CERTIFICATE", Admin.CertificatePath), new("GRANARY_TLS_KEY", Admin.KeyPath),
    ];

    private LabCertificate Issue(LabRole role, string name, IReadOnlyList<string> groups, IReadOnlyList<IPAddress>? addresses = null) =>
        _issued.GetOrAdd($"{role}/{name}", _ => new Lazy<LabCertificate>(() =>
        {
            lock (_issuing)
                return _authority.Issue(role, name, addresses ?? (role == LabRole.User ? [] : [IPAddress.Loopback]), groups, DateTimeOffset.UtcNow);
        })).Value;

    public void Dispose()
    {
        _authority.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
