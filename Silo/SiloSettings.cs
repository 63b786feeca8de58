namespace Granary.Silo;

/// <summary>
/// The silo's settings, from appsettings.json, GRANARY_* environment variables or flags
/// (Generic Host conventions: later sources win).
/// </summary>
public sealed class SiloSettings
{
    /// <summary>Redis "host:port" (or a StackExchange.Redis configuration string). Empty: embedded dev mode, nothing persisted.</summary>
    public string? Redis { get; set; }

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

    /// <summary>Flag names and the setting each sets.</summary>
    public static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--redis"] = nameof(Redis),
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
        ["--service-cidr"] = nameof(ServiceCidr),
        ["--service-node-port-range"] = nameof(ServiceNodePortRange),
        ["--service-account-issuer"] = nameof(ServiceAccountIssuer),
        ["--api-audiences"] = nameof(ApiAudiences),
        ["--service-account-signing-key-file"] = nameof(ServiceAccountSigningKeyFile),
        ["--service-account-key-file"] = nameof(ServiceAccountKeyFile),
        ["--service-account-max-token-expiration"] = nameof(ServiceAccountMaxTokenExpiration),
    };
}
