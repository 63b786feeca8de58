using Granary.Cli.Arguments;
using Granary.Cli.Output;

namespace Granary.Cli.Commands;

/// <summary>`granary cluster status`: the silos and what the cluster holds.</summary>
internal sealed class ClusterCommand : ICommand
{
    public string Name => "cluster";

    public string Summary => "Show the silos of the cluster and what it holds";

    public string Usage => """
        Show the cluster: its silos (address, name, status, uptime) and, per kind, how many objects it
        holds and the kind's current resourceVersion.

        Usage:
          granary cluster status [--redis HOST:PORT | --gateway HOST:PORT[,HOST:PORT]]
        """;

    public async Task<int> RunAsync(CommandContext context, CancellationToken ct)
    {
        if (context.Args.Args is not ["status"])
            throw new UsageException(context.Args.Args.IsEmpty ? "cluster needs a subcommand: granary cluster status" : $"unknown cluster subcommand \"{string.Join(" ", context.Args.Args)}\" (known: status)");

        await using var cluster = await context.ConnectAsync(ct);
        var status = await cluster.GetClusterStatusAsync(ct);
        context.Out.Write(ClusterStatusPrinter.Render(status, context.Now));
        return 0;
    }
}
