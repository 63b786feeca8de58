namespace Granary.NodeAgent.Configuration;

/// <summary>
/// The agent's settings, from appsettings.json, GRANARY_* environment variables or flags
/// (Generic Host conventions: later sources win).
/// </summary>
public sealed class AgentSettings
{
    /// <summary>This node's name; the host name when unset.</summary>
    public string? NodeName { get; set; }

    /// <summary>Redis "host:port" where the cluster's silos register their gateways.</summary>
    public string? Redis { get; set; }

    /// <summary>Gateways "host:port[,host:port]"; used when Redis is not set. Both unset: the local dev silo.</summary>
    public string? Gateway { get; set; }

    public string ClusterId { get; set; } = "granary";

    /// <summary>The cluster CA (PEM) the silos' certificates must chain to; with the two below, mutual TLS to the gateways (production).</summary>
    public string? ClusterCa { get; set; }

    /// <summary>The node's certificate (PEM, CN=system:node:NAME, O=system:nodes), from <c>granary certs node NAME</c>.</summary>
    public string? TlsCertificate { get; set; }

    /// <summary>The private key (PEM) of <see cref="TlsCertificate"/>.</summary>
    public string? TlsKey { get; set; }

    /// <summary>The node's address (InternalIP), also the pod IP with the host network. Loopback by default.</summary>
    public string NodeIp { get; set; } = "127.0.0.1";

    /// <summary>The Docker engine's endpoint.</summary>
    public string DockerHost { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>docker, process or simulated. Empty: docker when an engine answers, else an error (or process when enabled).</summary>
    public string? Driver { get; set; }

    /// <summary>Allows the process driver (host processes, no isolation, like Nomad's raw_exec).</summary>
    public bool EnableProcessDriver { get; set; }

    /// <summary>Node labels to register, "k=v,k2=v2".</summary>
    public string? Labels { get; set; }

    /// <summary>Node taints to register, "key=value:Effect,key2:Effect".</summary>
    public string? Taints { get; set; }

    /// <summary>host, loopback or bridge.</summary>
    public string PodNetwork { get; set; } = "loopback";

    /// <summary>The loopback block pods take their addresses from (loopback network).</summary>
    public string PodCidr { get; set; } = "127.1.1.0/24";

    /// <summary>Where the agent keeps its own state: process driver records, and pods' volumes under pods/&lt;uid&gt;/volumes.</summary>
    public string StateDir { get; set; } = "/var/lib/granary/agent";

    public int MaxPods { get; set; } = 110;

    /// <summary>Where the local-path provisioner's volumes live on this node (one directory per claim).</summary>
    public string LocalPathRoot { get; set; } = Model.LocalPath.DefaultRoot;

    /// <summary>CPU kept back from pods, e.g. "100m".</summary>
    public string ReservedCpu { get; set; } = "0";

    /// <summary>Memory kept back from pods, e.g. "256Mi".</summary>
    public string ReservedMemory { get; set; } = "0";

    /// <summary>
    /// How long a container whose pod is no longer bound here may live before it is removed; likewise a volume
    /// directory whose PersistentVolume is gone.
    /// </summary>
    public TimeSpan OrphanGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the agent re-reads its full desired state even without notifications.</summary>
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the lease is renewed; the lease lasts four times this (8 s), within the silo's default 10 s grace
    /// period, so a slow renewal or two never makes the node Unknown while a dead agent is noticed within seconds.
    /// </summary>
    public TimeSpan LeasePeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often the agent reads its containers' and its node's usage and reports it for the metrics API (metrics-server's
    /// --metric-resolution); the CPU rate is taken over this window.
    /// </summary>
    public TimeSpan MetricsResolution { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether containers may run privileged (securityContext.privileged); refused with a clear reason when false.</summary>
    public bool AllowPrivileged { get; set; }

    /// <summary>
    /// The port of the agent's server on the node address (the kubelet's 10250): the silos dial it for logs, exec,
    /// attach, port-forward and the pod proxy. 0 takes any free port; the Node's status.daemonEndpoints says which.
    /// </summary>
    public int ServerPort { get; set; } = 10250;

    /// <summary>
    /// A dummy interface (e.g. granary-svc0) the service proxy creates and puts non-loopback cluster IPs on, so it can
    /// listen on them; without it only loopback (127.0.0.0/8) cluster IPs are served. Needs CAP_NET_ADMIN.
    /// </summary>
    public string? ServiceInterface { get; set; }

    /// <summary>
    /// The service proxy's backend (kube-proxy's --proxy-mode): relay (userspace, the default) or nftables (kernel NAT
    /// rules in the table granary-NODE; needs the nft program and root).
    /// </summary>
    public string ProxyMode { get; set; } = "relay";

    /// <summary>How long the service proxy keeps a UDP flow without a datagram either way.</summary>
    public TimeSpan ServiceUdpIdleTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>The port of the node's cluster DNS server (UDP and TCP on the node address); pods' resolv.conf cannot name another, so 53.</summary>
    public int DnsPort { get; set; } = 53;

    /// <summary>The cluster's DNS domain (the kubelet's --cluster-domain): Services are NAME.NAMESPACE.svc.DOMAIN.</summary>
    public string ClusterDomain { get; set; } = "cluster.local";

    /// <summary>Where the cluster DNS forwards other names, "ip[:port],…"; unset: the nameservers of <see cref="ResolvConf"/>.</summary>
    public string? DnsUpstream { get; set; }

    /// <summary>The host's resolver configuration (the kubelet's --resolv-conf): dnsPolicy Default pods get it, and its search domains.</summary>
    public string ResolvConf { get; set; } = "/etc/resolv.conf";

    /// <summary>Hollow nodes to run in this process instead of one real node (density benchmarks; simulated runtime, no agent server, DNS or proxy).</summary>
    public int HollowNodes { get; set; }

    /// <summary>The hollow nodes' name prefix; node i is PREFIX followed by i, zero-padded to five digits.</summary>
    public string HollowPrefix { get; set; } = "hollow-";

    /// <summary>The first hollow node's index, so that several processes run different nodes (addresses follow the index).</summary>
    public int HollowFirst { get; set; }

    /// <summary>A copy to change for one of several agents in a process (hollow nodes); the template stays as read.</summary>
    public AgentSettings Copy() => (AgentSettings)MemberwiseClone();

    public string EffectiveNodeName => string.IsNullOrWhiteSpace(NodeName) ? Environment.MachineName.ToLowerInvariant() : NodeName;

    /// <summary>Flag names and the setting each sets.</summary>
    public static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--node-name"] = nameof(NodeName),
        ["--redis"] = nameof(Redis),
        ["--gateway"] = nameof(Gateway),
        ["--cluster-id"] = nameof(ClusterId),
        ["--cluster-ca"] = nameof(ClusterCa),
        ["--tls-certificate"] = nameof(TlsCertificate),
        ["--tls-key"] = nameof(TlsKey),
        ["--node-ip"] = nameof(NodeIp),
        ["--docker-host"] = nameof(DockerHost),
        ["--driver"] = nameof(Driver),
        ["--enable-process-driver"] = nameof(EnableProcessDriver),
        ["--labels"] = nameof(Labels),
        ["--taints"] = nameof(Taints),
        ["--pod-network"] = nameof(PodNetwork),
        ["--pod-cidr"] = nameof(PodCidr),
        ["--state-dir"] = nameof(StateDir),
        ["--allow-privileged"] = nameof(AllowPrivileged),
        ["--max-pods"] = nameof(MaxPods),
        ["--local-path-root"] = nameof(LocalPathRoot),
        ["--reserved-cpu"] = nameof(ReservedCpu),
        ["--reserved-memory"] = nameof(ReservedMemory),
        ["--server-port"] = nameof(ServerPort),
        ["--service-interface"] = nameof(ServiceInterface),
        ["--proxy-mode"] = nameof(ProxyMode),
        ["--dns-port"] = nameof(DnsPort),
        ["--cluster-domain"] = nameof(ClusterDomain),
        ["--dns-upstream"] = nameof(DnsUpstream),
        ["--resolv-conf"] = nameof(ResolvConf),
        ["--hollow-nodes"] = nameof(HollowNodes),
        ["--hollow-prefix"] = nameof(HollowPrefix),
        ["--hollow-first"] = nameof(HollowFirst),
    };
}
