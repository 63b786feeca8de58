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

    /// <summary>How long <see cref="GranaryClient.ConnectAsync"/> tries before it gives up with a clear error.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Reads GRANARY_REDIS, GRANARY_GATEWAY (a comma list) and GRANARY_CLUSTER_ID.</summary>
    public static GranaryClientOptions FromEnvironment()
    {
        var gateways = Environment.GetEnvironmentVariable("GRANARY_GATEWAY");
        return new GranaryClientOptions
        {
            Redis = NullIfEmpty(Environment.GetEnvironmentVariable("GRANARY_REDIS")),
            Gateways = string.IsNullOrWhiteSpace(gateways) ? [] : gateways.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            ClusterId = NullIfEmpty(Environment.GetEnvironmentVariable("GRANARY_CLUSTER_ID")) ?? "granary",
        };
    }

    /// <summary>What the client will try, for messages: "gateways 127.0.0.1:30000" or "redis 127.0.0.1:6379".</summary>
    public string Describe() =>
        Redis is not null ? $"the gateways registered in redis {Redis} (cluster \"{ClusterId}\")"
        : $"gateway {string.Join(", ", Gateways.Count > 0 ? Gateways : [LocalGateway])} (cluster \"{ClusterId}\")";

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
