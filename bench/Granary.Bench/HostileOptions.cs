namespace Granary.Bench;

/// <summary>The command line of the hostile-input run; <see cref="Parse"/> throws <see cref="UsageException"/> on bad input.</summary>
internal sealed record HostileOptions : BenchOptions
{
    public const string Command = "hostile";

    public const string Usage = """
        Granary hostile input: sends N malformed, oversized, wrongly typed and otherwise hostile requests
        (the same ones for the same seed) to the Kubernetes API, plus slow clients, and prints how each
        category was answered. Every answer must be a 4xx with a Kubernetes Status naming the problem: a
        5xx, no answer, or an accepted request kube-apiserver refuses is counted wrong and fails the command.

        usage: dotnet run -c Release --project bench/Granary.Bench -- hostile [options]

          --requests N           hostile requests (default 1000)
          --seed S               the seed of the variations (default 1)
          --parallel P           requests in flight at once (default 8)
          --slow C               slow clients of each kind (slow headers, slow body) beside them (default 2; 0: none)
          --server URL           the API to attack (http:// or https://); default: start a private one
          --kubeconfig PATH      take the server's CA and token from this kubeconfig (with --server, or instead of it)
          -h, --help             print this text

        Without --server or --kubeconfig it starts its own redis-server and one silo in Redis mode on free
        127.0.0.1 ports (HTTPS with a generated CA and token), reports the silo's RSS before and after,
        and stops both at the end. It works in a namespace hostile-<seed>-<run>, deleted at the end.
        """;

    public int Requests { get; init; } = 1000;
    public int Seed { get; init; } = 1;
    public int Parallel { get; init; } = 8;
    public int Slow { get; init; } = 2;
    public Uri? Server { get; init; }
    public string? Kubeconfig { get; init; }

    public bool StartsOwnCluster => Server is null && Kubeconfig is null;

    public static HostileOptions Parse(IReadOnlyList<string> args) =>
        CommandLine.ParseOptions(args, new HostileOptions(), (o, name, value) => name switch
        {
            "--requests" => o with { Requests = CommandLine.Positive(name, value()) },
            "--seed" => o with { Seed = WholeNumber(name, value()) },
            "--parallel" => o with { Parallel = CommandLine.Positive(name, value()) },
            "--slow" => o with { Slow = NonNegative(name, value()) },
            "--server" => o with { Server = Url(name, value()) },
            "--kubeconfig" => o with { Kubeconfig = CommandLine.NonEmpty(name, value()) },
            _ => null,
        });

    private static int WholeNumber(string name, string value) =>
        int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
        : throw new UsageException($"{name} must be a whole number, not \"{value}\"");

    private static int NonNegative(string name, string value) => value == "0" ? 0 : CommandLine.Positive(name, value);

    private static Uri Url(string name, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new UsageException($"{name} must be an http:// or https:// URL of the API (e.g. https://127.0.0.1:6443), not \"{value}\"");
}
