using Granary.Cli;
using Granary.Cli.Commands;
using Granary.Client;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.Cli;

/// <summary>Runs the CLI against a <see cref="FakeCluster"/> with captured output and a fixed clock.</summary>
internal sealed class CliRun
{
    public FakeCluster Cluster { get; } = new();
    public StringWriter Out { get; } = new();
    public StringWriter Error { get; } = new();
    public string Stdin { get; set; } = "";
    public List<GranaryClientOptions> Connections { get; } = [];
    public Exception? ConnectFailure { get; set; }

    public Task<int> RunAsync(string line, CancellationToken ct = default) =>
        RunAsync(line.Split(' ', StringSplitOptions.RemoveEmptyEntries), ct);

    public Task<int> RunAsync(string[] args, CancellationToken ct = default)
    {
        var app = new CliApp(new StringReader(Stdin), Out, Error, new FakeTimeProvider(CliObjects.Now), (options, _) =>
        {
            Connections.Add(options);
            return ConnectFailure is { } e ? throw e : Task.FromResult<IClusterApi>(Cluster);
        });
        return app.RunAsync(args, ct);
    }

    public (int Code, string Out, string Error) Result(int code) => (code, Out.ToString(), Error.ToString());
}
