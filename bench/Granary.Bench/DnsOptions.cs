namespace Granary.Bench;

/// <summary>The command line of the dns benchmark; <see cref="Parse"/> throws <see cref="UsageException"/> on bad input.</summary>
internal sealed record DnsOptions : BenchOptions
{
    public const string Command = "dns";

    public const string Usage = """
        Granary cluster DNS benchmark: the agent's DNS server runs in this process on a free
        127.0.0.1 port with a fixed catalog of N Services (every fourth headless, with 3
        endpoints), and C UDP clients each send one query, wait for its answer and send the
        next. Questions rotate through A of a Service, SRV of its named port, A of a headless
        Service's endpoints and an unknown name (NXDOMAIN). Prints queries/s and latency.

        usage: dotnet run -c Release --project bench/Granary.Bench -- dns [options]

          --services N           Services in the catalog (default 1000)
          --clients C            concurrent UDP clients (default 8)
          --queries Q            queries in all, after a warm-up of Q/10 (default 200000)
          -h, --help             print this text
        """;

    public int Services { get; init; } = 1000;
    public int Clients { get; init; } = 8;
    public int Queries { get; init; } = 200_000;

    public static DnsOptions Parse(IReadOnlyList<string> args) =>
        CommandLine.ParseOptions(args, new DnsOptions(), (o, name, value) => name switch
        {
            "--services" => o with { Services = CommandLine.Positive(name, value()) },
            "--clients" => o with { Clients = CommandLine.Positive(name, value()) },
            "--queries" => o with { Queries = CommandLine.Positive(name, value()) },
            _ => null,
        });
}
