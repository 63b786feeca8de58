namespace Granary.Cli.Commands;

/// <summary>`granary help [COMMAND]`: the command list, or one command's usage.</summary>
internal sealed class HelpCommand(Func<IReadOnlyList<ICommand>> commands) : ICommand
{
    public string Name => "help";

    public string Summary => "Show help for a command";

    public string Usage => """
        Show the list of commands, or the usage of one.

        Usage:
          granary help [COMMAND]
          granary COMMAND --help
        """;

    public Task<int> RunAsync(CommandContext context, CancellationToken ct)
    {
        if (context.Args.Args is [var name, ..])
        {
            var command = commands().FirstOrDefault(c => c.Name == name)
                ?? throw new Arguments.UsageException($"unknown command \"{name}\"");
            context.Out.Write(command.Usage.TrimEnd() + "\n");
            return Task.FromResult(0);
        }
        context.Out.Write(Overview(commands()));
        return Task.FromResult(0);
    }

    public static string Overview(IReadOnlyList<ICommand> commands)
    {
        var width = commands.Max(c => c.Name.Length) + 3;
        var list = string.Concat(commands.Select(c => $"  {c.Name.PadRight(width)}{c.Summary}\n"));
        return $"""
            granary controls a Granary cluster: apply manifests, list and watch objects, describe and delete them,
            read the logs of pods' containers and run commands in them.

            Usage:
              granary COMMAND [ARGS] [FLAGS]

            Commands:
            {list}
            Connection flags (for every command that talks to the cluster):
              --redis HOST:PORT              find the silos' gateways in Redis (or GRANARY_REDIS)
              --gateway HOST:PORT[,...]      connect to these silo gateways (or GRANARY_GATEWAY)
              --cluster-id ID                the cluster's id (or GRANARY_CLUSTER_ID; default "granary")
            Without --redis or --gateway, granary connects to the local dev silo at 127.0.0.1:30000;
            start one with: dotnet run --project Silo

            Use "granary help COMMAND" or "granary COMMAND --help" for a command's flags.

            """;
    }
}
