using System.Globalization;

namespace Granary.Bench;

/// <summary>The options of one benchmark command.</summary>
internal abstract record BenchOptions;

/// <summary>
/// The command line: a command, then that command's options. <see cref="Parse"/> throws <see cref="UsageException"/>
/// on bad input; the helpers below are shared by every command's option parser.
/// </summary>
internal static class CommandLine
{
    public const string Usage = """
        Granary benchmarks: commands that print figures (they are not tests).

        usage: dotnet run -c Release --project bench/Granary.Bench -- COMMAND [options]

          control-plane   register nodes, create pods and measure how fast they are bound
          pod-startup     run pods on one node agent and a private Docker engine, and measure
                          how long each takes from its create call to Running
          kube-api        N HTTP clients create, get and list pods through the Kubernetes API;
                          latency and throughput per verb
          proxy           the agent's service proxy in front of local bulk and echo servers:
                          throughput and added latency beside direct connections
          dns             the agent's cluster DNS server in process: queries/s over UDP and
                          latency with N services and C clients
          soak            minutes of mixed traffic against a Redis-backed silo; its memory over
                          time and a verdict: flat after warm-up, or growing
          density         hollow nodes (the real agent, simulated runtime) and pods created
                          through the API until all are Running; beside Redis and etcd rates
          baseline        raw write rates of redis-server and a private etcd, pod-sized values
          hostile         N hostile requests (malformed, oversized, wrongly typed, slow) against the
                          API; every answer must be a 4xx Status: a table of categories by status

        COMMAND --help prints that command's options.
        """;

    private const string Commands = $"{ControlPlaneOptions.Command}, {PodStartupOptions.Command}, {KubeApiOptions.Command}, {ProxyOptions.Command}, {DnsOptions.Command}, {SoakOptions.Command}, {DensityOptions.Command}, {BaselineOptions.Command} and {HostileOptions.Command}";

    /// <summary>The options of the command given; null when help was asked for, with the text to print in <paramref name="help"/>.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args, out string help)
    {
        var command = args.Count > 0 ? args[0] : null;
        var wantsHelp = args.Any(a => a is "-h" or "--help");
        help = command switch
        {
            ControlPlaneOptions.Command => ControlPlaneOptions.Usage,
            PodStartupOptions.Command => PodStartupOptions.Usage,
            KubeApiOptions.Command => KubeApiOptions.Usage,
            ProxyOptions.Command => ProxyOptions.Usage,
            DnsOptions.Command => DnsOptions.Usage,
            SoakOptions.Command => SoakOptions.Usage,
            HostileOptions.Command => HostileOptions.Usage,
            DensityOptions.Command => DensityOptions.Usage,
            BaselineOptions.Command => BaselineOptions.Usage,
            _ => Usage,
        };
        if (wantsHelp)
            return null;
        var rest = args.Skip(1).ToList();
        return command switch
        {
            null => throw new UsageException($"a command is required: {Commands}"),
            ControlPlaneOptions.Command => ControlPlaneOptions.Parse(rest),
            PodStartupOptions.Command => PodStartupOptions.Parse(rest),
            KubeApiOptions.Command => KubeApiOptions.Parse(rest),
            ProxyOptions.Command => ProxyOptions.Parse(rest),
            DnsOptions.Command => DnsOptions.Parse(rest),
            SoakOptions.Command => SoakOptions.Parse(rest),
            HostileOptions.Command => HostileOptions.Parse(rest),
            DensityOptions.Command => DensityOptions.Parse(rest),
            BaselineOptions.Command => BaselineOptions.Parse(rest),
            _ => throw new UsageException($"unknown command \"{command}\"; the commands are {Commands}"),
        };
    }

    /// <summary>
    /// Reads "--name value" options in order. <paramref name="apply"/> returns the options with one more set
    /// (calling its third argument to take the value), or null for a name it does not know.
    /// </summary>
    public static T ParseOptions<T>(IReadOnlyList<string> args, T initial, Func<T, string, Func<string>, T?> apply)
        where T : class
    {
        var options = initial;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{name} needs a value");
            options = apply(options, name, Value) ?? throw new UsageException($"unknown option \"{name}\"");
        }
        return options;
    }

    public static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
        : throw new UsageException($"{name} must be a positive whole number, not \"{value}\"");

    public static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : throw new UsageException($"{name} must be a whole number (0 or more), not \"{value}\"");

    public static string Endpoint(string name, string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? value
            : throw new UsageException($"{name} must be HOST:PORT (e.g. 127.0.0.1:6379), not \"{value}\"");
    }

    public static string NonEmpty(string name, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new UsageException($"{name} must not be empty") : value;
}

/// <summary>The command line is wrong; the message says how.</summary>
internal sealed class UsageException(string message) : Exception(message);
