using System.Globalization;

namespace Granary.Bench;

/// <summary>The command line of the control-plane benchmark; <see cref="Parse"/> throws <see cref="UsageException"/> on bad input.</summary>
internal sealed record BenchOptions
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

    /// <summary>Null when help was asked for.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args)
    {
        if (args.Any(a => a is "-h" or "--help"))
            return null;
        if (args.Count == 0)
            throw new UsageException($"a command is required: {Command}");
        if (args[0] != Command)
            throw new UsageException($"unknown command \"{args[0]}\"; the only command is {Command}");

        var options = new BenchOptions();
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{name} needs a value");
            options = name switch
            {
                "--nodes" => options with { Nodes = Positive(name, Value()) },
                "--pods" => options with { Pods = Positive(name, Value()) },
                "--concurrency" => options with { Concurrency = Positive(name, Value()) },
                "--redis" => options with { Redis = Endpoint(name, Value()) },
                "--gateway" => options with { Gateway = Endpoint(name, Value()) },
                "--cluster-id" => options with { ClusterId = NonEmpty(name, Value()) },
                "--bind-timeout" => options with { BindTimeout = TimeSpan.FromSeconds(Positive(name, Value())) },
                _ => throw new UsageException($"unknown option \"{name}\""),
            };
        }

        if (options.Redis is not null && options.Gateway is not null)
            throw new UsageException("give --redis or --gateway, not both");
        if ((long)options.Nodes * PodsPerNode < options.Pods)
            throw new UsageException($"{options.Pods} pods do not fit on {options.Nodes} nodes of {PodsPerNode} pods each; add nodes");
        return options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
        : throw new UsageException($"{name} must be a positive whole number, not \"{value}\"");

    private static string Endpoint(string name, string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? value
            : throw new UsageException($"{name} must be HOST:PORT (e.g. 127.0.0.1:6379), not \"{value}\"");
    }

    private static string NonEmpty(string name, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new UsageException($"{name} must not be empty") : value;
}

/// <summary>The command line is wrong; the message says how.</summary>
internal sealed class UsageException(string message) : Exception(message);
