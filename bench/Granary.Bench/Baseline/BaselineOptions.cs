namespace Granary.Bench;

/// <summary>The command line of the baseline command; <see cref="Parse"/> throws <see cref="UsageException"/> on bad input.</summary>
internal sealed record BaselineOptions : BenchOptions
{
    public const string Command = "baseline";

    /// <summary>About the size of a density pod as the API stores and returns it (JSON).</summary>
    public const int DefaultValueBytes = 1200;

    public const string Usage = """
        Raw write rates of the stores beside Granary: redis-benchmark SET against a redis-server, and
        gRPC puts against a private single-member etcd (Debian's etcd-server), with values the size of
        a pod object.

        usage: dotnet run -c Release --project bench/Granary.Bench -- baseline [options]

          --redis HOST:PORT      measure this redis-server (default: a private one, without persistence,
                                 as the benchmarks' clusters use)
          --value-bytes N        the value size (default 1200, about a pod object)
          -h, --help             print this text

        Last line: baseline: value_bytes=… redis_sets_per_s=… etcd_puts_per_s=…
        """;

    public string? Redis { get; init; }
    public int ValueBytes { get; init; } = DefaultValueBytes;

    public static BaselineOptions Parse(IReadOnlyList<string> args) =>
        CommandLine.ParseOptions(args, new BaselineOptions(), (o, name, value) => name switch
        {
            "--redis" => o with { Redis = CommandLine.Endpoint(name, value()) },
            "--value-bytes" => o with { ValueBytes = CommandLine.Positive(name, value()) },
            _ => null,
        });
}
