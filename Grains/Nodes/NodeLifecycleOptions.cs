namespace Granary.Grains.Nodes;

/// <summary>
/// The node lifecycle controller's timings, kube-controller-manager's flags with faster defaults (kube: 40 s grace,
/// 300 s tolerations). Bound from the silo's flags of the same names.
/// </summary>
public sealed class NodeLifecycleOptions
{
    /// <summary>
    /// --node-monitor-grace-period: how long a lease may go unrenewed before the node is Unknown. Also the longest lease
    /// an agent may hold, and how long the controller waits after its own start before it judges any lease.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// --node-monitor-period: how soon a pass that wrote looks again to confirm, and (ten times it) how often the
    /// controller resyncs while some node is silent or tainted. Lease expiries and evictions run at their due time.
    /// </summary>
    public TimeSpan MonitorPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>--default-not-ready-toleration-seconds: added to pods that set no toleration for not-ready:NoExecute.</summary>
    public long DefaultNotReadyTolerationSeconds { get; set; } = 15;

    /// <summary>--default-unreachable-toleration-seconds: added to pods that set no toleration for unreachable:NoExecute.</summary>
    public long DefaultUnreachableTolerationSeconds { get; set; } = 15;

    /// <summary>
    /// --node-eviction-rate: nodes per second per zone that may receive a NoExecute taint (the first at once). 0 never
    /// taints for eviction.
    /// </summary>
    public double EvictionRate { get; set; } = 0.1;

    /// <summary>
    /// --unhealthy-zone-threshold: the share of not-ready nodes (at least 3 of them) at which a zone counts as partially
    /// disrupted, and its nodes are no longer tainted for eviction.
    /// </summary>
    public double UnhealthyZoneThreshold { get; set; } = 0.55;

    /// <summary>Why these options cannot run, or null; the silo refuses to start with the message.</summary>
    public string? Problem() => this switch
    {
        { GracePeriod: var g } when g <= TimeSpan.Zero => "--node-monitor-grace-period must be a positive duration (e.g. 10s)",
        { MonitorPeriod: var m } when m <= TimeSpan.Zero => "--node-monitor-period must be a positive duration (e.g. 1s)",
        { MonitorPeriod: var m, GracePeriod: var g } when m > g => $"--node-monitor-period ({m.TotalSeconds}s) must not be longer than --node-monitor-grace-period ({g.TotalSeconds}s)",
        { DefaultNotReadyTolerationSeconds: < 0 } => "--default-not-ready-toleration-seconds must be 0 or more",
        { DefaultUnreachableTolerationSeconds: < 0 } => "--default-unreachable-toleration-seconds must be 0 or more",
        { EvictionRate: var r } when r < 0 || double.IsNaN(r) || double.IsInfinity(r) => "--node-eviction-rate must be 0 or a positive number of nodes per second",
        { UnhealthyZoneThreshold: var t } when t is <= 0 or > 1 || double.IsNaN(t) => "--unhealthy-zone-threshold must be a fraction above 0 and at most 1 (e.g. 0.55)",
        _ => null,
    };
}
