using System.Globalization;

namespace Granary.Bench;

/// <summary>The command line of the soak run; <see cref="Parse"/> throws <see cref="UsageException"/> on bad input.</summary>
internal sealed record SoakOptions : BenchOptions
{
    public const string Command = "soak";

    public const string Usage = """
        Granary soak run: sustained mixed traffic against one Redis-backed silo, with the silo's
        memory printed as it goes, to show whether it stays flat.

        usage: dotnet run -c Release --project bench/Granary.Bench -- soak [options]

          --minutes N            how long the traffic runs (default 10)
          --seconds N            how long the traffic runs, in seconds (instead of --minutes)
          --clients N            concurrent HTTPS clients, each with its own namespace (default 8)
          --sample N             seconds between two samples of the silo's memory (default 5)
          --tolerance MIB        the RSS slope, in MiB per minute over the second half of the run,
                                 below which the verdict is "flat" (default 2)
          --silo-arg ARG         one more argument for the silo, e.g.
                                 --silo-arg --WatchCache:EventWindowBytes=1048576 (repeatable)
          -h, --help             print this text

        Each client loops until the time is up: create a pod (no node runs it, so the scheduler
        reports it unschedulable), get it, list its namespace, record an event about it, and
        delete the pod it created 20 iterations before. Beside each client a watcher opens
        watches on its namespace that end after 1-10 s, some closed by the server's
        timeoutSeconds and some by the client. Every few seconds a line shows the silo's RSS and,
        from its /metrics, the GC heap, grain activations, the watch cache's history and the
        events kept. The last line is the verdict: "flat" when the RSS slope over the second half
        is under the tolerance, "growing" otherwise. Errors or a growing RSS exit with 1.

        The benchmark starts its own redis-server and one silo in Redis mode
        (Silo/bin/Release/net10.0/Granary.Silo.dll, built first when missing) with its HTTPS API
        on free 127.0.0.1 ports, and stops both at the end.
        """;

    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);
    public int Clients { get; init; } = 8;
    public TimeSpan SampleEvery { get; init; } = TimeSpan.FromSeconds(5);
    public double ToleranceMibPerMinute { get; init; } = 2;
    public IReadOnlyList<string> SiloArgs { get; init; } = [];

    /// <summary>The options after the command name.</summary>
    public static SoakOptions Parse(IReadOnlyList<string> args) =>
        CommandLine.ParseOptions(args, new SoakOptions(), (o, name, value) => name switch
        {
            "--minutes" => o with { Duration = TimeSpan.FromMinutes(CommandLine.Positive(name, value())) },
            "--seconds" => o with { Duration = TimeSpan.FromSeconds(CommandLine.Positive(name, value())) },
            "--clients" => o with { Clients = CommandLine.Positive(name, value()) },
            "--sample" => o with { SampleEvery = TimeSpan.FromSeconds(CommandLine.Positive(name, value())) },
            "--tolerance" => o with { ToleranceMibPerMinute = NonNegative(name, value()) },
            "--silo-arg" => o with { SiloArgs = [.. o.SiloArgs, CommandLine.NonEmpty(name, value())] },
            _ => null,
        });

    private static double NonNegative(string name, string value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n
        : throw new UsageException($"{name} must be a number of MiB per minute, 0 or more (e.g. 2 or 0.5), not \"{value}\"");
}
