namespace Granary.Bench;

/// <summary>The command line of the kube-api benchmark; <see cref="Parse"/> throws <see cref="UsageException"/> on bad input.</summary>
internal sealed record KubeApiOptions : BenchOptions
{
    public const string Command = "kube-api";

    public const string Usage = """
        Granary Kubernetes API benchmark: N HTTP clients create pods, get them and list them
        through the silo's Kubernetes API, and the latency of every request is kept.

        usage: dotnet run -c Release --project bench/Granary.Bench -- kube-api [options]

          --clients N            concurrent HTTP clients, each with its own connection and
                                 namespace (default 16)
          --requests M           requests of each verb: M creates, then M gets, then M list
                                 pages (default 3000)
          --limit L              the page size of the lists (default 100)
          --api URL              use the plain-HTTP Kubernetes API at this URL (e.g. a dev-mode silo, http://127.0.0.1:6440)
          -h, --help             print this text

        Without --api the benchmark starts its own redis-server and one silo in Redis mode
        (Silo/bin/Release/net10.0/Granary.Silo.dll, built first when missing) on free 127.0.0.1
        ports, and stops both at the end. With --api it creates namespaces kapi-<run>-NN there
        and deletes them (with their pods) at the end.
        """;

    public int Clients { get; init; } = 16;
    public int Requests { get; init; } = 3000;
    public int Limit { get; init; } = 100;
    public Uri? Api { get; init; }

    /// <summary>True when no API was given: the benchmark starts its own cluster.</summary>
    public bool StartsOwnCluster => Api is null;

    /// <summary>The options after the command name.</summary>
    public static KubeApiOptions Parse(IReadOnlyList<string> args)
    {
        var options = CommandLine.ParseOptions(args, new KubeApiOptions(), (o, name, value) => name switch
        {
            "--clients" => o with { Clients = CommandLine.Positive(name, value()) },
            "--requests" => o with { Requests = CommandLine.Positive(name, value()) },
            "--limit" => o with { Limit = CommandLine.Positive(name, value()) },
            "--api" => o with { Api = HttpUrl(name, value()) },
            _ => null,
        });
        if (options.Clients > options.Requests)
            throw new UsageException($"--clients {options.Clients} is more than --requests {options.Requests}: every client needs at least one request of each verb");
        return options;
    }

    private static Uri HttpUrl(string name, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.AbsolutePath == "/"
            ? uri
            : throw new UsageException($"{name} must be an http:// URL of the API's root (e.g. http://127.0.0.1:6443), not \"{value}\"");
}
