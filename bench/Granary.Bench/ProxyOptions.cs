using Granary.NodeAgent.Networking.Proxy;

namespace Granary.Bench;

/// <summary>The command line of the service proxy benchmark; <see cref="Parse"/> throws <see cref="UsageException"/> on bad input.</summary>
internal sealed record ProxyOptions : BenchOptions
{
    public const string Command = "proxy";

    public const string Usage = """
        Granary service proxy benchmark: the agent's service proxy runs in this process with a fixed
        Service and endpoint, in front of a bulk server and an echo server on 127.0.0.1; every figure
        is measured through the proxy and, in the same run, directly. --mode relay is the userspace
        relay (SocketProxy); --mode nftables programs kernel NAT rules (table granary-bench-PID, removed
        at the end; needs the nft program and root) in front of cluster IPs 127.250.0.1 and .2.

        usage: dotnet run -c Release --project bench/Granary.Bench -- proxy [options]

          --megabytes N          bytes each bulk stream carries, in MiB (default 1024)
          --streams S            concurrent bulk streams (default 1)
          --rounds N             bulk rounds, direct and proxied alternating (default 3)
          --mode M               relay (default) or nftables
          --clients C            concurrent request/response connections (default 4)
          --requests R           round trips of 64 bytes per connection (default 5000)
          -h, --help             print this text

        Throughput is MB/s (10^6 bytes) of all streams together, as the median and the best of the
        rounds, with the CPU seconds this process spent per GB (the proxied minus the direct figure
        is what the proxy costs, nearly independent of other load); latency is each round trip's,
        p50 and p99, and the proxy's added latency is the proxied figure minus the direct one.
        """;

    public int Megabytes { get; init; } = 1024;
    public int Streams { get; init; } = 1;
    public int Rounds { get; init; } = 3;
    public int Clients { get; init; } = 4;
    public int Requests { get; init; } = 5000;
    public ProxyMode Mode { get; init; } = ProxyMode.Relay;

    /// <summary>The options after the command name.</summary>
    public static ProxyOptions Parse(IReadOnlyList<string> args) =>
        CommandLine.ParseOptions(args, new ProxyOptions(), (o, name, value) => name switch
        {
            "--megabytes" => o with { Megabytes = CommandLine.Positive(name, value()) },
            "--streams" => o with { Streams = CommandLine.Positive(name, value()) },
            "--rounds" => o with { Rounds = CommandLine.Positive(name, value()) },
            "--clients" => o with { Clients = CommandLine.Positive(name, value()) },
            "--requests" => o with { Requests = CommandLine.Positive(name, value()) },
            "--mode" => o with { Mode = ParseMode(value()) },
            _ => null,
        });

    private static ProxyMode ParseMode(string text)
    {
        try
        {
            return ProxyModes.Parse(text);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
