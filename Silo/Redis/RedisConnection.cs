using System.Net;
using StackExchange.Redis;

namespace Granary.Silo.Redis;

/// <summary>
/// The one place the silo's Redis connection settings are turned into StackExchange.Redis options, so Orleans'
/// clustering, grain storage and reminders and Granary's object store all connect the same way: the same
/// endpoints or Sentinel service name, the same password or ACL user, the same TLS settings.
/// </summary>
/// <remarks>
/// Everything StackExchange.Redis reads from a configuration string works in <c>--redis</c>
/// (<c>password=</c>, <c>user=</c>, <c>ssl=true</c>, <c>sslHost=</c>, <c>serviceName=</c>); the flags add what a string
/// cannot say: the CA that issued the Redis server's certificate and a client certificate.
/// </remarks>
public sealed class RedisConnection
{
    private readonly string _configuration;

    private RedisConnection(string configuration, string? caFile, string? clientCertificate, string? clientKey)
    {
        _configuration = configuration;
        CaFile = caFile;
        ClientCertificate = clientCertificate;
        ClientKey = clientKey;
    }

    public string? CaFile { get; }

    public string? ClientCertificate { get; }

    public string? ClientKey { get; }

    /// <summary>The settings of <paramref name="settings"/>, or the reason they cannot work (a user's mistake: name the flag).</summary>
    public static (RedisConnection? Connection, string? Problem) From(SiloSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.Redis))
            return (null, "--redis is not set");
        try
        {
            ConfigurationOptions.Parse(settings.Redis);
        }
        catch (ArgumentException e)
        {
            return (null, $"--redis \"{Redacted(settings.Redis)}\" is not a Redis configuration string ({e.Message}); expected HOST:PORT[,HOST:PORT][,password=...][,user=...][,ssl=true][,serviceName=NAME]");
        }
        if (!string.IsNullOrWhiteSpace(settings.RedisClientCertificate) != !string.IsNullOrWhiteSpace(settings.RedisClientKey))
            return (null, "--redis-client-certificate and --redis-client-key go together: give both PEM files, or neither");
        foreach (var (flag, path) in new[] { ("--redis-ca", settings.RedisCa), ("--redis-client-certificate", settings.RedisClientCertificate), ("--redis-client-key", settings.RedisClientKey) })
        {
            if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
                return (null, $"{flag} {path}: no such file");
        }
        return (new RedisConnection(settings.Redis, NullIfBlank(settings.RedisCa), NullIfBlank(settings.RedisClientCertificate), NullIfBlank(settings.RedisClientKey)), null);
    }

    /// <summary>
    /// A fresh options object for one connection. Each user gets its own, because a multiplexer may keep and change
    /// the object it was given.
    /// </summary>
    public ConfigurationOptions Options()
    {
        var options = ConfigurationOptions.Parse(_configuration);
        // Retry while Redis starts or fails over rather than failing at once.
        options.AbortOnConnectFail = false;
        options.ConnectRetry = 5;
        if (CaFile is not null)
        {
            options.Ssl = true;
            options.TrustIssuer(CaFile);
        }
        if (ClientCertificate is not null && ClientKey is not null)
            options.SetUserPemCertificate(ClientCertificate, ClientKey);
        return options;
    }

    public bool Tls => Options().Ssl;

    public bool Authenticated
    {
        get
        {
            var options = Options();
            return !string.IsNullOrEmpty(options.Password) || !string.IsNullOrEmpty(options.User) || ClientCertificate is not null;
        }
    }

    public string? SentinelServiceName => Options().ServiceName;

    /// <summary>True when every endpoint is a loopback address (or localhost): the connection never leaves the machine.</summary>
    public bool LoopbackOnly => Options().EndPoints.All(IsLoopback);

    /// <summary>What start-up warns about: a production silo reaching a Redis on another host without a password or without TLS.</summary>
    public IReadOnlyList<string> Warnings()
    {
        if (LoopbackOnly)
            return [];
        var warnings = new List<string>();
        if (!Authenticated)
            warnings.Add($"Redis at {Describe()} is reached without a password or ACL user: anyone who can reach it can read and change the whole cluster's state. Add password=SECRET (and user=NAME for an ACL user) to --redis, and requirepass or an ACL user on the Redis server.");
        if (!Tls)
            warnings.Add($"Redis at {Describe()} is reached without TLS: the cluster's state, secrets included, crosses the network in clear text. Serve Redis with --tls-port and pass ssl=true in --redis (and --redis-ca PATH for a private CA).");
        return warnings;
    }

    /// <summary>The endpoints, service name, user and TLS for logs, never the password.</summary>
    public string Describe()
    {
        var options = Options();
        var parts = new List<string> { string.Join(",", options.EndPoints.Select(EndPointCollection.ToString)) };
        if (options.ServiceName is { } service)
            parts.Add($"sentinel service {service}");
        if (!string.IsNullOrEmpty(options.User))
            parts.Add($"user {options.User}");
        if (!string.IsNullOrEmpty(options.Password))
            parts.Add("password set");
        parts.Add(options.Ssl ? "TLS" : "no TLS");
        return string.Join(", ", parts);
    }

    /// <summary>A configuration string with its password blanked, for error messages.</summary>
    public static string Redacted(string configuration) =>
        string.Join(",", configuration.Split(',').Select(p => p.TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=***" : p));

    private static bool IsLoopback(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => IPAddress.IsLoopback(ip.Address),
        DnsEndPoint dns => string.Equals(dns.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(dns.Host, out var address) && IPAddress.IsLoopback(address)),
        _ => false,
    };

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
