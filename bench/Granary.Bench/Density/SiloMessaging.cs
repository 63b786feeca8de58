namespace Granary.Bench;

/// <summary>
/// What the silos did per pod between two reads of their /metrics and /proc: Orleans messages one silo sent another
/// (a grain call across silos is two, a one-way call one), messages delivered inside a silo, messages to and from
/// clients through the gateways, grain-directory lookups sent to another silo, and CPU seconds. Counting work, these
/// figures survive a busy machine, unlike rates; they show what a silo more costs per pod.
/// </summary>
internal sealed record SiloMessaging(double CrossSilo, double Local, double Gateway, double DirectoryRemote, double CpuSeconds)
{
    // Orleans 10's instruments (meter "Microsoft.Orleans") as the Prometheus exporter names them. Every message a silo
    // sends or receives over a connection is one sample of the size histograms, labelled with the connection's kind.
    private const string Sent = "orleans_messaging_sent_messages_size_bytes_count";
    private const string Received = "orleans_messaging_received_messages_size_bytes_count";
    private const string SiloToSilo = "ConnectionDirection=\"SiloToSilo\"";
    private const string SentLocal = "orleans_messaging_sent_local_total";
    private const string DirectoryRemoteSent = "orleans_directory_lookups_remote_sent_total";

    /// <summary>One read of every silo, in the order given.</summary>
    public static async Task<IReadOnlyList<SiloMessaging>> ReadAsync(IReadOnlyList<ApiAccess> apis, IReadOnlyList<int> pids, CancellationToken ct)
    {
        var reads = new List<SiloMessaging>();
        for (var i = 0; i < apis.Count; i++)
        {
            using var http = apis[i].CreateClient(TimeSpan.FromSeconds(10));
            var metrics = await SiloMetrics.ReadAsync(http, ct);
            // Sent only across silos (each such message is counted once, by its sender); both ways with clients.
            var crossSilo = metrics.Sum(Sent, SiloToSilo);
            var clients = metrics.Sum(Sent) - crossSilo + metrics.Sum(Received) - metrics.Sum(Received, SiloToSilo);
            reads.Add(new SiloMessaging(crossSilo, metrics.Sum(SentLocal), clients, metrics.Sum(DirectoryRemoteSent), ProcessUsage.Read(pids[i]).Cpu.TotalSeconds));
        }
        return reads;
    }

    /// <summary>
    /// What each silo did between <paramref name="before"/> and <paramref name="after"/> for the pods alone: less what it
    /// does idle (node heartbeats, timers), measured from <paramref name="idleStart"/> to <paramref name="before"/> and
    /// scaled by <paramref name="idleScale"/> (the run's length over the idle window's), so a run slowed by a busy machine
    /// does not count more heartbeats per pod.
    /// </summary>
    public static IReadOnlyList<SiloMessaging> ForPods(IReadOnlyList<SiloMessaging> idleStart, IReadOnlyList<SiloMessaging> before,
        IReadOnlyList<SiloMessaging> after, double idleScale) =>
        [.. Enumerable.Range(0, before.Count).Select(i => after[i].Minus(before[i]).Minus(before[i].Minus(idleStart[i]).Scaled(idleScale)))];

    /// <summary>Per pod, each silo and all together, as printable lines.</summary>
    public static IReadOnlyList<string> PerPod(IReadOnlyList<SiloMessaging> work, int pods) =>
        [.. work.Select((w, i) => $"  silo {i}: {w.Per(pods)}"), $"  all silos: {Total(work, 1).Per(pods)}"];

    /// <summary>All silos together, per pod.</summary>
    public static SiloMessaging Total(IReadOnlyList<SiloMessaging> work, int pods) =>
        work.Aggregate(new SiloMessaging(0, 0, 0, 0, 0), (x, y) => x.Plus(y)).Divided(pods);

    private SiloMessaging Scaled(double factor) =>
        new(CrossSilo * factor, Local * factor, Gateway * factor, DirectoryRemote * factor, CpuSeconds * factor);

    private SiloMessaging Minus(SiloMessaging o) =>
        new(CrossSilo - o.CrossSilo, Local - o.Local, Gateway - o.Gateway, DirectoryRemote - o.DirectoryRemote, CpuSeconds - o.CpuSeconds);

    private SiloMessaging Plus(SiloMessaging o) =>
        new(CrossSilo + o.CrossSilo, Local + o.Local, Gateway + o.Gateway, DirectoryRemote + o.DirectoryRemote, CpuSeconds + o.CpuSeconds);

    private SiloMessaging Divided(int pods) =>
        new(CrossSilo / pods, Local / pods, Gateway / pods, DirectoryRemote / pods, CpuSeconds / pods);

    private string Per(int pods) => Divided(pods) is var p
        ? $"{p.CrossSilo:0.00} messages to other silos, {p.Local:0.00} inside the silo, {p.Gateway:0.00} with clients, " +
          $"{p.DirectoryRemote:0.00} remote directory lookups, {p.CpuSeconds * 1000:0.00} ms cpu per pod"
        : "";
}
