using System.Globalization;

namespace Granary.Bench;

/// <summary>The command line of the density benchmark; <see cref="Parse"/> throws <see cref="UsageException"/> on bad input.</summary>
internal sealed record DensityOptions : BenchOptions
{
    public const string Command = "density";

    public const string Usage = """
        Granary density benchmark: hollow nodes (the real agent with the simulated runtime, many per
        process), pods created through the Kubernetes API, and how long until each is Running.

        usage: dotnet run -c Release --project bench/Granary.Bench -- density [options]

          --nodes M               hollow nodes (default 1000)
          --pods N                pods to create (default 30000)
          --silos S               Redis-backed silos sharing one private redis-server (default 1);
                                  the benchmark's API connections go to them round robin
          --pin                   silo i on core i, Redis and the hollow nodes on the cores left;
                                  silos share cores round robin when fewer than S+1 remain
          --cpus "S1/…/REST"      taskset cpu lists: one per silo, then Redis and hollow nodes',
                                  e.g. "0/1" (one silo) against "0/0/1" (two silos on core 0)
          --rate R                create R pods/s (default: as fast as --concurrency calls allow)
          --concurrency C         create calls in flight (default 64)
          --hollow-processes P    processes the hollow nodes are split over (default 1)
          --timeout S             give up when pods are not all Running S seconds after the first
                                  create (default: 120, or 20 ms per pod when that is longer)
          --output DIR            where the CSV files and the chart go
                                  (default bench-results/density-YYYYMMDD-HHMMSS)
          --no-baseline           skip the redis-benchmark and etcd put-rate baselines
          --scenario NAME         default (create --pods pods once) or churn (Deployments of 1, 5,
                                  20 and 100 replicas created, scaled and deleted for --duration;
                                  --rate is then operations/s, by default paced to 20 pods/s of
                                  churn, and --pods caps the pods that live at once)
          --duration S            how long the churn scenario issues operations (default 60)
          --kill-nodes P%         once every pod is Running, kill -9 the hollow process holding P %
                                  of the nodes (put there alone) and time NotReady, eviction and
                                  replacement; the silo then runs with these settings:
          --node-monitor-grace-period S   (default 10, as the silo's; kube 40)
          --toleration-seconds S          not-ready and unreachable (default 15, as the silo's; kube 300)
          --node-eviction-rate R          nodes tainted per second (default: every victim in one
                                          second; the silo's and kube's 0.1 takes 10 s a node)
          -h, --help              print this text

        The benchmark starts its own redis-server and silo(s) (Silo/bin/Release) on free
        127.0.0.1 ports and the hollow-node processes (NodeAgent/bin/Release, --hollow-nodes),
        creates the pods over HTTPS at full speed or --rate while a background reader gets and
        lists pods, and waits until a watch has seen every pod Running. Then it measures the raw
        write rate of that redis-server (redis-benchmark SET) and of a private single-member etcd
        (Debian's etcd-server, gRPC puts) with values the size of a pod object. Pods ask for no
        resources, use dnsPolicy Default (hollow nodes serve no cluster DNS)
        and mount no service-account token (a tmpfs per pod on a hollow node).
        Pinned runs compare best with the benchmark itself on the rest's cores too:
          taskset -c 1 dotnet run -c Release --project bench/Granary.Bench -- density --silos 2 --pin
        The last line is machine-readable:
          density: nodes=… pods=… pods_per_s=… startup_p99_ms=… api_p99_ms=… silo_rss_mb=…
                   etcd_puts_per_s=… creates_per_etcd_put=…
        or, for the churn scenario, density-churn: …; with --kill-nodes a density-kill: … line
        comes just before it.
        """;

    public int Nodes { get; init; } = 1000;
    public int Pods { get; init; } = 30000;
    public int Silos { get; init; } = 1;
    public bool Pin { get; init; }
    public string? Cpus { get; init; }
    public int? Rate { get; init; }
    public int Concurrency { get; init; } = 64;
    public int HollowProcesses { get; init; } = 1;
    public TimeSpan? Timeout { get; init; }
    public string? Output { get; init; }
    public bool Baseline { get; init; } = true;
    public string Scenario { get; init; } = DefaultScenario;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);
    public double? KillNodesPercent { get; init; }
    public int GracePeriodSeconds { get; init; } = 10;
    public int TolerationSeconds { get; init; } = 15;
    public double? EvictionRate { get; init; }

    public const string DefaultScenario = "default";
    public const string ChurnScenario = "churn";

    /// <summary>How many hollow nodes --kill-nodes kills (at least one), or 0 without it.</summary>
    public int Victims => KillNodesPercent is { } p ? Math.Max(1, (int)Math.Round(Nodes * p / 100)) : 0;

    /// <summary>How long pods may take to be Running after the first create.</summary>
    public TimeSpan RunningTimeout => Timeout ?? TimeSpan.FromMilliseconds(Math.Max(120_000, 20.0 * Pods));

    public string OutputDirectory => Output ?? Path.Combine("bench-results", "density-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));

    /// <summary>Where the silos and the rest run (--pin or --cpus), or null when nothing is pinned.</summary>
    public CpuPinning? Pinning(int cores) =>
        Cpus is { } spec ? CpuPinning.Parse(spec, Silos, cores) : Pin ? CpuPinning.Spread(Silos, cores) : null;

    private static string ParseScenario(string name, string value) =>
        value is DefaultScenario or ChurnScenario ? value : throw new UsageException($"{name} {value}: expected {DefaultScenario} or {ChurnScenario}");

    public static DensityOptions Parse(IReadOnlyList<string> args)
    {
        var options = CommandLine.ParseOptions(args, new DensityOptions(), (o, name, value) => name switch
        {
            "--nodes" => o with { Nodes = CommandLine.Positive(name, value()) },
            "--pods" => o with { Pods = CommandLine.Positive(name, value()) },
            "--silos" => o with { Silos = CommandLine.Positive(name, value()) },
            "--pin" => o with { Pin = true },
            "--cpus" => o with { Cpus = CommandLine.NonEmpty(name, value()) },
            "--rate" => o with { Rate = CommandLine.Positive(name, value()) },
            "--concurrency" => o with { Concurrency = CommandLine.Positive(name, value()) },
            "--hollow-processes" => o with { HollowProcesses = CommandLine.Positive(name, value()) },
            "--timeout" => o with { Timeout = TimeSpan.FromSeconds(CommandLine.Positive(name, value())) },
            "--output" => o with { Output = CommandLine.NonEmpty(name, value()) },
            "--no-baseline" => o with { Baseline = false },
            "--scenario" => o with { Scenario = ParseScenario(name, value()) },
            "--duration" => o with { Duration = TimeSpan.FromSeconds(CommandLine.Positive(name, value())) },
            "--kill-nodes" => o with { KillNodesPercent = NodeKillSettings.ParsePercent(name, value()) },
            "--node-monitor-grace-period" => o with { GracePeriodSeconds = CommandLine.Positive(name, value()) },
            "--toleration-seconds" => o with { TolerationSeconds = NodeKillSettings.NonNegative(name, value()) },
            "--node-eviction-rate" => o with { EvictionRate = NodeKillSettings.PositiveRate(name, value()) },
            _ => null,
        });
        if (options.Pin && options.Cpus is not null)
            throw new UsageException("--pin and --cpus both say where the processes run: give one of them");
        // Checked here, so a wrong --cpus is a usage error before anything starts.
        _ = options.Pinning(CpuPinning.MachineCores());
        if (options.HollowProcesses > options.Nodes)
            throw new UsageException($"--hollow-processes {options.HollowProcesses} is more than --nodes {options.Nodes}: every process needs a node");
        if (options.Nodes > 16384)
            throw new UsageException($"--nodes {options.Nodes}: hollow nodes' pod blocks come from 127.64.0.0/10, which holds 16384");
        // Each hollow node's pod block is a /24: 253 pod addresses.
        if (options.Pods > options.Nodes * 253L)
            throw new UsageException($"--pods {options.Pods} do not fit on {options.Nodes} nodes of 253 pod addresses each; add nodes");
        if (options.Victims >= options.Nodes)
            throw new UsageException($"--kill-nodes {options.KillNodesPercent}% of {options.Nodes} nodes leaves none for their pods to move to; kill fewer, or add nodes");
        return options;
    }
}
