using System.Security.Cryptography.X509Certificates;

namespace Granary.Client;

/// <summary>How to reach a cluster: a gateway list, Redis (where the silos publish their gateways), or the local dev silo.</summary>
public sealed record GranaryClientOptions
{
    /// <summary>The local dev silo's gateway, used when neither gateways nor Redis are given.</summary>
    public const string LocalGateway = "127.0.0.1:30000";

    /// <summary>Gateway endpoints, "host:port" each.</summary>
    public IReadOnlyList<string> Gateways { get; init; } = [];

    /// <summary>Redis "host:port": the client finds live gateways in the cluster's membership table there.</summary>
    public string? Redis { get; init; }

    public string ClusterId { get; init; } = "granary";

    /// <summary>
    /// The cluster CA's certificate (PEM file). With <see cref="TlsCertificate"/> and <see cref="TlsKey"/> the client
    /// speaks mutual TLS to the gateways, as a production cluster requires; the silos must present certificates of
    /// this CA. Unset (and no <see cref="ClusterCaCertificate"/>): plain TCP, for a dev silo on 127.0.0.1.
    /// </summary>
    public string? ClusterCa { get; init; }

    /// <summary>The client's certificate (PEM file), e.g. from <c>granary certs user NAME</c>: CN is the user, each O a group.</summary>
    public string? TlsCertificate { get; init; }

    /// <summary>The private key (PEM file) of <see cref="TlsCertificate"/>.</summary>
    public string? TlsKey { get; init; }

    /// <summary>The cluster CA as an object, instead of <see cref="ClusterCa"/>. The caller keeps ownership.</summary>
    public X509Certificate2? ClusterCaCertificate { get; init; }

    /// <summary>The client's certificate with its private key, instead of <see cref="TlsCertificate"/> and <see cref="TlsKey"/>. The caller keeps ownership.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Whether any mutual TLS setting is given (then all of them must be).</summary>
    public bool UsesTls => ClusterCa is not null || TlsCertificate is not null || TlsKey is not null || ClusterCaCertificate is not null || ClientCertificate is not null;

    /// <summary>How long <see cref="GranaryClient.ConnectAsync"/> tries before it gives up with a clear error.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Reads GRANARY_REDIS, GRANARY_GATEWAY (a comma list), GRANARY_CLUSTER_ID, GRANARY_CLUSTER_CA, GRANARY_TLS_CERTIFICATE and GRANARY_TLS_KEY.</summary>
    public static GranaryClientOptions FromEnvironment()
    {
        var gateways = Environment.GetEnvironmentVariable("GRANARY_GATEWAY");
        return new GranaryClientOptions
        {
            Redis = NullIfEmpty(Environment.GetEnvironmentVariable("GRANARY_REDIS")),
            Gateways = string.IsNullOrWhiteSpace(gateways) ? [] : gateways.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            ClusterId = NullIfEmpty(Environment.GetEnvironmentVariable("GRANARY_CLUSTER_ID")) ?? "granary",
            ClusterCa = NullIfEmpty(Environment.GetEnvironmentVariable("GRANARY_CLUSTER_CA")),
            TlsCertificate = NullIfEmpty(Environment.GetEnvironmentVariable("GRANARY_TLS_CERTIFICATE")),
            TlsKey = NullIfEmpty(Environment.GetEnvironmentVariable("GRANARY_TLS_KEY")),
        };
    }

    /// <summary>What the client will try, for messages: "gateways 127.0.0.1:30000" or "redis 127.0.0.1:6379".</summary>
    public string Describe() =>
        Redis is not null ? $"the gateways registered in redis {Redis} (cluster \"{ClusterId}\")"
        : $"gateway {string.Join(", ", Gateways.Count > 0 ? Gateways : [LocalGateway])} (cluster \"{ClusterId}\")";

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
