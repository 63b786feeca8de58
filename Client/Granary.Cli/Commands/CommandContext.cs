using Granary.Cli.Arguments;
using Granary.Client;

namespace Granary.Cli.Commands;

/// <summary>What a command runs with: its arguments, the console, the clock and a way to reach the cluster.</summary>
internal sealed class CommandContext(
    CliArguments args,
    TextReader stdin,
    TextWriter stdout,
    TextWriter stderr,
    TimeProvider time,
    Func<GranaryClientOptions, CancellationToken, Task<IClusterApi>> connect)
{
    public CliArguments Args { get; } = args;
    public TextReader Stdin { get; } = stdin;
    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;

    /// <summary>The current time in the local offset: ages are computed from it and describe prints times in it.</summary>
    public DateTimeOffset Now => time.GetLocalNow();

    /// <summary>
    /// The environment's connection settings (GRANARY_*), overridden by --redis, --gateway, --cluster-id and the
    /// mutual TLS files --cluster-ca, --tls-certificate, --tls-key.
    /// </summary>
    public GranaryClientOptions ConnectionOptions(GranaryClientOptions environment)
    {
        var options = environment;
        if (Args.Redis is not null || !Args.Gateways.IsEmpty)
            options = options with { Redis = Args.Redis, Gateways = Args.Gateways };
        if (Args.ClusterId is not null)
            options = options with { ClusterId = Args.ClusterId };
        if (Args.ClusterCa is not null)
            options = options with { ClusterCa = Args.ClusterCa };
        if (Args.TlsCertificate is not null)
            options = options with { TlsCertificate = Args.TlsCertificate };
        if (Args.TlsKey is not null)
            options = options with { TlsKey = Args.TlsKey };
        return options;
    }

    public Task<IClusterApi> ConnectAsync(CancellationToken ct) =>
        connect(ConnectionOptions(GranaryClientOptions.FromEnvironment()), ct);
}
