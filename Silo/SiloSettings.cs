namespace Granary.Silo;

/// <summary>
/// The silo's settings, from appsettings.json, GRANARY_* environment variables or flags
/// (Generic Host conventions: later sources win).
/// </summary>
public sealed class SiloSettings
{
    /// <summary>Redis "host:port" (or a StackExchange.Redis configuration string). Empty: embedded dev mode, nothing persisted.</summary>
    public string? Redis { get; set; }

    /// <summary>The CA (PEM) that issued the Redis server's certificate; turns TLS on. Unset: the system's trust store (with ssl=true).</summary>
    public string? RedisCa { get; set; }

    /// <summary>A client certificate (PEM) for Redis servers that ask for one (tls-auth-clients); with <see cref="RedisClientKey"/>.</summary>
    public string? RedisClientCertificate { get; set; }

    /// <summary>The private key (PEM) of <see cref="RedisClientCertificate"/>.</summary>
    public string? RedisClientKey { get; set; }

    /// <summary>Start on a Redis without an append-only file, accepting that a Redis restart loses acknowledged writes.</summary>
    public bool RedisWithoutAof { get; set; }

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public string ClusterId { get; set; } = "granary";

    /// <summary>The address other silos and clients reach this silo at. Loopback unless set.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Dev mode only: run a node agent for this machine inside the silo.</summary>
    public bool EmbeddedAgent { get; set; } = true;

    /// <summary>The Kubernetes API's port. Unset: <see cref="DefaultDevApiPort"/> in dev mode, <see cref="DefaultApiPort"/> with Redis.</summary>
    public int? ApiPort { get; set; }

    /// <summary>The address the Kubernetes API listens on. Loopback unless set.</summary>
    public string ApiAddress { get; set; } = "127.0.0.1";

    /// <summary>Where the silo writes a kubeconfig for its API. Unset: ~/.granary/kubeconfig.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>How long events live after their last write, as kube-apiserver's --event-ttl ("1h", "90s", "00:05:00").</summary>
    public string EventTtl { get; set; } = "1h";

    /// <summary>How long a node's lease may go unrenewed before the node is Unknown (kube-controller-manager's flag; kube: 40s).</summary>
    public string NodeMonitorGracePeriod { get; set; } = "10s";

    /// <summary>How soon the node lifecycle controller looks again after acting (its resync while a node is down: ten times that).</summary>
    public string NodeMonitorPeriod { get; set; } = "1s";

    /// <summary>tolerationSeconds of the not-ready:NoExecute toleration pods get when they set none (kube: 300).</summary>
    public long DefaultNotReadyTolerationSeconds { get; set; } = 15;

    /// <summary>tolerationSeconds of the unreachable:NoExecute toleration pods get when they set none (kube: 300).</summary>
    public long DefaultUnreachableTolerationSeconds { get; set; } = 15;

    /// <summary>Nodes per second, per zone, that may be tainted for eviction (kube's --node-eviction-rate).</summary>
    public double NodeEvictionRate { get; set; } = 0.1;

    /// <summary>The share of not-ready nodes (at least 3) at which a zone's nodes are no longer tainted for eviction.</summary>
    public double UnhealthyZoneThreshold { get; set; } = 0.55;

    /// <summary>Serve the API over HTTPS with bearer tokens (the default, dev mode included); false: plain HTTP without authentication.</summary>
    public bool? ApiTls { get; set; }

    /// <summary>The API's serving certificate (PEM: the certificate, then intermediates). Unset: generated beside the kubeconfig.</summary>
    public string? ApiCertificate { get; set; }

    /// <summary>The private key (PEM) of <see cref="ApiCertificate"/>.</summary>
    public string? ApiCertificateKey { get; set; }

    /// <summary>The CA (PEM) that issued <see cref="ApiCertificate"/>; the kubeconfig trusts it.</summary>
    public string? ApiCertificateCa { get; set; }

    /// <summary>Bearer tokens in kube-apiserver's --token-auth-file format. Unset with HTTPS: an admin token generated beside the kubeconfig.</summary>
    public string? TokenAuthFile { get; set; }

    /// <summary>The cluster CA (PEM) every Orleans connection's certificates must chain to; required in production mode.</summary>
    public string? ClusterCa { get; set; }

    /// <summary>The cluster CA's private key (PEM). Given: the cluster CA grain signs the agents' serving certificates with it (one CA).</summary>
    public string? ClusterCaKey { get; set; }

    /// <summary>This silo's certificate (PEM, CN=granary-silo-NAME, O=system:masters) for its silo and gateway ports.</summary>
    public string? TlsCertificate { get; set; }

    /// <summary>The private key (PEM) of <see cref="TlsCertificate"/>.</summary>
    public string? TlsKey { get; set; }

    /// <summary>Mutual TLS on the Orleans ports. Unset: on with Redis (production). false: plain and unauthenticated, with a loud warning.</summary>
    public bool? OrleansTls { get; set; }

    /// <summary>CA certificates (PEM) whose client certificates authenticate API users: CN = user, O = groups (kube's --client-ca-file). Unset: the cluster CA (<see cref="ClusterCa"/>) when given, else no client certificates.</summary>
    public string? ClientCaFile { get; set; }

    /// <summary>The CA file that authenticates API client certificates: <see cref="ClientCaFile"/>, else the cluster CA, as the `granary certs user` certificates come from it.</summary>
    public string? EffectiveClientCaFile => string.IsNullOrWhiteSpace(ClientCaFile) ? (string.IsNullOrWhiteSpace(ClusterCa) ? null : ClusterCa) : ClientCaFile;

    /// <summary>Where the API's audit log of writes goes ("-" for standard output), as kube's --audit-log-path. Unset: no audit log.</summary>
    public string? AuditLogPath { get; set; }

    /// <summary>The audit log's size in megabytes at which it is rotated (kube's --audit-log-maxsize); 0 never rotates.</summary>
    public int AuditLogMaxSize { get; set; } = 100;

    /// <summary>How many rotated audit logs are kept (kube's --audit-log-maxbackup); 0 keeps them all.</summary>
    public int AuditLogMaxBackup { get; set; } = 10;

    /// <summary>The iss claim of ServiceAccount tokens (kube-apiserver's --service-account-issuer).</summary>
    public string ServiceAccountIssuer { get; set; } = Granary.Grains.ServiceAccounts.ServiceAccountTokenOptions.DefaultIssuer;

    /// <summary>Comma-separated audiences the API accepts in tokens (kube's --api-audiences). Unset: the issuer.</summary>
    public string? ApiAudiences { get; set; }

    /// <summary>The private key (PEM) that signs ServiceAccount tokens. Unset: generated once and kept in grain storage.</summary>
    public string? ServiceAccountSigningKeyFile { get; set; }

    /// <summary>A further public key (PEM) whose ServiceAccount tokens are accepted (e.g. the previous key while rotating).</summary>
    public string? ServiceAccountKeyFile { get; set; }

    /// <summary>The longest lifetime a ServiceAccount token is given ("24h"). Unset: as asked, up to 2^32 seconds.</summary>
    public string? ServiceAccountMaxTokenExpiration { get; set; }

    /// <summary>
    /// Where cluster IPs come from; its first address is the <c>kubernetes</c> service's. Unset: 10.43.0.0/16 with
    /// Redis, <see cref="DefaultDevServiceCidr"/> in dev mode.
    /// </summary>
    public string? ServiceCidr { get; set; }

    /// <summary>
    /// A dev cluster's cluster IPs are loopback addresses: the agents' service proxy listens on them without a
    /// service interface (and without root), so on one machine they just work.
    /// </summary>
    public const string DefaultDevServiceCidr = "127.43.0.0/16";

    public string EffectiveServiceCidr => string.IsNullOrWhiteSpace(ServiceCidr)
        ? DevMode ? DefaultDevServiceCidr : Granary.Grains.Services.ServiceNetworkOptions.DefaultServiceCidr
        : ServiceCidr;

    /// <summary>The node ports NodePort and LoadBalancer services get, "LOW-HIGH".</summary>
    public string ServiceNodePortRange { get; set; } = Granary.Grains.Services.ServiceNetworkOptions.DefaultNodePortRange;

    /// <summary>
    /// The Orleans Dashboard's port; unset (the default) turns the dashboard off. It has no authentication of its own,
    /// so it listens on <see cref="DashboardAddress"/>, loopback unless told otherwise.
    /// </summary>
    public int? DashboardPort { get; set; }

    /// <summary>The address the Orleans Dashboard listens on (default 127.0.0.1).</summary>
    public string DashboardAddress { get; set; } = "127.0.0.1";

    public const int DefaultApiPort = 6443;
    public const int DefaultDevApiPort = 6440;

    /// <summary>The node lifecycle options these settings give; null with the reason when a duration does not parse.</summary>
    public (Granary.Grains.Nodes.NodeLifecycleOptions? Options, string? Problem) NodeLifecycle()
    {
        if (!DurationSetting.TryParse(NodeMonitorGracePeriod, out var grace))
            return (null, $"--node-monitor-grace-period {NodeMonitorGracePeriod} is not a duration (e.g. 10s, 1m)");
        if (!DurationSetting.TryParse(NodeMonitorPeriod, out var period))
            return (null, $"--node-monitor-period {NodeMonitorPeriod} is not a duration (e.g. 1s, 500ms)");
        var options = new Granary.Grains.Nodes.NodeLifecycleOptions
        {
            GracePeriod = grace,
            MonitorPeriod = period,
            DefaultNotReadyTolerationSeconds = DefaultNotReadyTolerationSeconds,
            DefaultUnreachableTolerationSeconds = DefaultUnreachableTolerationSeconds,
            EvictionRate = NodeEvictionRate,
            UnhealthyZoneThreshold = UnhealthyZoneThreshold,
        };
        return options.Problem() is { } problem ? (null, problem) : (options, null);
    }

    public bool DevMode => string.IsNullOrWhiteSpace(Redis);

    public bool EffectiveApiTls => ApiTls ?? true;

    public int EffectiveApiPort => ApiPort ?? (DevMode ? DefaultDevApiPort : DefaultApiPort);

    public string EffectiveKubeconfig => string.IsNullOrWhiteSpace(Kubeconfig)
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".granary", "kubeconfig")
        : Kubeconfig;

    /// <summary>Flags that are true by being given, with no value: "--redis-without-aof" reads as "--redis-without-aof=true".</summary>
    public static string[] ExpandBareFlags(string[] args) =>
        [.. args.Select(a => a == "--redis-without-aof" ? a + "=true" : a)];

    /// <summary>Flag names and the setting each sets.</summary>
    public static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--redis"] = nameof(Redis),
        ["--redis-ca"] = nameof(RedisCa),
        ["--redis-client-certificate"] = nameof(RedisClientCertificate),
        ["--redis-client-key"] = nameof(RedisClientKey),
        ["--redis-without-aof"] = nameof(RedisWithoutAof),
        ["--silo-port"] = nameof(SiloPort),
        ["--gateway-port"] = nameof(GatewayPort),
        ["--cluster-id"] = nameof(ClusterId),
        ["--address"] = nameof(AdvertisedAddress),
        ["--embedded-agent"] = nameof(EmbeddedAgent),
        ["--api-port"] = nameof(ApiPort),
        ["--api-address"] = nameof(ApiAddress),
        ["--kubeconfig"] = nameof(Kubeconfig),
        ["--event-ttl"] = nameof(EventTtl),
        ["--node-monitor-grace-period"] = nameof(NodeMonitorGracePeriod),
        ["--node-monitor-period"] = nameof(NodeMonitorPeriod),
        ["--default-not-ready-toleration-seconds"] = nameof(DefaultNotReadyTolerationSeconds),
        ["--default-unreachable-toleration-seconds"] = nameof(DefaultUnreachableTolerationSeconds),
        ["--node-eviction-rate"] = nameof(NodeEvictionRate),
        ["--unhealthy-zone-threshold"] = nameof(UnhealthyZoneThreshold),

        ["--api-tls"] = nameof(ApiTls),
        ["--api-certificate"] = nameof(ApiCertificate),
        ["--api-certificate-key"] = nameof(ApiCertificateKey),
        ["--api-certificate-ca"] = nameof(ApiCertificateCa),
        ["--token-auth-file"] = nameof(TokenAuthFile),
        ["--client-ca-file"] = nameof(ClientCaFile),
        ["--audit-log-path"] = nameof(AuditLogPath),
        ["--audit-log-maxsize"] = nameof(AuditLogMaxSize),
        ["--audit-log-maxbackup"] = nameof(AuditLogMaxBackup),
        ["--service-cidr"] = nameof(ServiceCidr),
        ["--service-node-port-range"] = nameof(ServiceNodePortRange),
        ["--cluster-ca"] = nameof(ClusterCa),
        ["--cluster-ca-key"] = nameof(ClusterCaKey),
        ["--tls-certificate"] = nameof(TlsCertificate),
        ["--tls-key"] = nameof(TlsKey),
        ["--orleans-tls"] = nameof(OrleansTls),
        // The API's request limits (Api/Limits), named like kube-apiserver's flags.
        ["--max-request-body-bytes"] = "ApiLimits:MaxRequestBodyBytes",
        ["--max-requests-inflight"] = "ApiLimits:MaxRequestsInflight",
        ["--max-mutating-requests-inflight"] = "ApiLimits:MaxMutatingRequestsInflight",
        ["--max-requests-inflight-per-user"] = "ApiLimits:MaxRequestsInflightPerUser",
        ["--max-masters-requests-inflight"] = "ApiLimits:MaxMastersRequestsInflight",
        ["--service-account-issuer"] = nameof(ServiceAccountIssuer),
        ["--api-audiences"] = nameof(ApiAudiences),
        ["--service-account-signing-key-file"] = nameof(ServiceAccountSigningKeyFile),
        ["--service-account-key-file"] = nameof(ServiceAccountKeyFile),
        ["--service-account-max-token-expiration"] = nameof(ServiceAccountMaxTokenExpiration),
        ["--dashboard-port"] = nameof(DashboardPort),
        ["--dashboard-address"] = nameof(DashboardAddress),
    };
}
