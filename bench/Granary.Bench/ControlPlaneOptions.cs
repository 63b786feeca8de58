namespace Granary.Bench;

/// <summary>The command line of the control-plane benchmark; <see cref="Parse"/> throws <see cref="UsageException"/> on bad input.</summary>
internal sealed record ControlPlaneOptions : BenchOptions
{
    public const string Command = "control-plane";

    public const string Usage = """
        Granary control-plane benchmark: registers nodes, creates pods and measures how fast they are bound.

        usage: dotnet run -c Release --project bench/Granary.Bench -- control-plane [options]

          --nodes M              nodes to register (default 1000)
          --pods N               pods to create (default 30000)
          --concurrency C        create calls in flight (default 64)
          --redis HOST:PORT      use the cluster registered in this Redis
          --gateway HOST:PORT    use the cluster behind this gateway
          --cluster-id ID        the cluster's id (default: "granary" with --redis/--gateway,
                                 "bench-<random>" for the cluster the benchmark starts)
          --bind-timeout S       give up when pods are still unbound S seconds after the first
                                 create (default: 120, or 20 ms per pod when that is longer)
          -h, --help             print this text

        Without --redis or --gateway the benchmark starts its own redis-server and one silo
        (Silo/bin/Release/net10.0/Granary.Silo.dll, built first when missing) on free 127.0.0.1
        ports, and stops both at the end. Every pod needs 100m cpu and 64Mi memory; every node
        has 32 cpu, 128Gi memory and room for 110 pods.
        """;

    /// <summary>Pods one benchmark node has room for (its "pods" capacity).</summary>
    public const int PodsPerNode = 110;

    public int Nodes { get; init; } = 1000;
    public int Pods { get; init; } = 30000;
    public int Concurrency { get; init; } = 64;
    public string? Redis { get; init; }
    public string? Gateway { get; init; }
    public string? ClusterId { get; init; }
    public TimeSpan? BindTimeout { get; init; }

    /// <summary>True when neither Redis nor a gateway was given: the benchmark starts its own cluster.</summary>
    public bool StartsOwnCluster => Redis is null && Gateway is null;

    public TimeSpan EffectiveBindTimeout =>
        BindTimeout ?? TimeSpan.FromMilliseconds(Math.Max(120_000, 20.0 * Pods));

    /// <summary>The options after the command name.</summary>
    public static ControlPlaneOptions Parse(IReadOnlyList<string> args)
    {
        var options = CommandLine.ParseOptions(args, new ControlPlaneOptions(), (o, name, value) => name switch
        {
            "--nodes" => o with { Nodes = CommandLine.Positive(name, value()) },
            "--pods" => o with { Pods = CommandLine.Positive(name, value()) },
            "--concurrency" => o with { Concurrency = CommandLine.Positive(name, value()) },
            "--redis" => o with { Redis = CommandLine.Endpoint(name, value()) },
            "--gateway" => o with { Gateway = CommandLine.Endpoint(name, value()) },
            "--cluster-id" => o with { ClusterId = CommandLine.NonEmpty(name, value()) },
            "--bind-timeout" => o with { BindTimeout = TimeSpan.FromSeconds(CommandLine.Positive(name, value())) },
            _ => null,
        });

        if (options.Redis is not null && options.Gateway is not null)
            throw new UsageException("give --redis or --gateway, not both");
        if ((long)options.Nodes * PodsPerNode < options.Pods)
            throw new UsageException($"{options.Pods} pods do not fit on {options.Nodes} nodes of {PodsPerNode} pods each; add nodes");
        return options;
    }
}
