using Granary.Cli.Arguments;
using Granary.Cli.Commands;
using Granary.Client;
using Granary.Errors;

namespace Granary.Cli;

/// <summary>
/// Parses the command line, runs the command and turns every error into one line on stderr and exit code 1,
/// as kubectl does: server errors as "Error from server (Reason): …", everything else as "error: …".
/// </summary>
internal sealed class CliApp(
    TextReader stdin,
    TextWriter stdout,
    TextWriter stderr,
    TimeProvider time,
    Func<GranaryClientOptions, CancellationToken, Task<IClusterApi>> connect)
{
    private readonly IReadOnlyList<ICommand> _commands = CreateCommands();

    private static List<ICommand> CreateCommands()
    {
        var commands = new List<ICommand>
        {
            new ApplyCommand(), new GetCommand(), new DescribeCommand(), new DeleteCommand(),
            new LogsCommand(), new ExecCommand(), new ClusterCommand(), new VersionCommand(), new CertsCommand(),
        };
        commands.Add(new HelpCommand(() => commands));
        return commands;
    }

    public async Task<int> RunAsync(IReadOnlyList<string> argv, CancellationToken ct)
    {
        CliArguments args;
        try
        {
            args = ArgumentParser.Parse(argv);
        }
        catch (UsageException e)
        {
            return Usage(e.Message, argv.FirstOrDefault(a => !a.StartsWith('-')));
        }

        if (args.Command is null)
        {
            stdout.Write(HelpCommand.Overview(_commands));
            return 0;
        }
        var command = _commands.FirstOrDefault(c => c.Name == args.Command);
        if (command is null)
            return Usage($"unknown command \"{args.Command}\"", null);
        if (args.Help)
        {
            stdout.Write(command.Usage.TrimEnd() + "\n");
            return 0;
        }

        var context = new CommandContext(args, stdin, stdout, stderr, time, connect);
        try
        {
            return await command.RunAsync(context, ct);
        }
        catch (UsageException e)
        {
            return Usage(e.Message, command.Name);
        }
        catch (CommandException e)
        {
            stderr.WriteLine(ErrorLines.Client(e.Message));
        }
        catch (GranaryConnectException e)
        {
            stderr.WriteLine(ErrorLines.Client(e.Message));
        }
        catch (GranaryException e)
        {
            stderr.WriteLine(ErrorLines.FromServer(e));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Interrupted (Ctrl-C): the shell's convention for SIGINT.
            return 130;
        }
        catch (TimeoutException)
        {
            // Orleans' timeout text is a page of diagnostics; the user needs what happened and what to try.
            stderr.WriteLine(ErrorLines.Client("the cluster did not answer within 30s; check that the silos (and, for logs and exec, the pod's node agent) are running, then try again"));
        }
        catch (Exception e)
        {
            // Transport failures and the like: still one line, with the type for whoever debugs it.
            stderr.WriteLine(ErrorLines.Client($"{e.GetType().Name}: {e.Message}"));
        }
        return 1;
    }

    private int Usage(string message, string? command)
    {
        stderr.WriteLine(ErrorLines.Client(message));
        stderr.WriteLine(command is not null && _commands.Any(c => c.Name == command)
            ? $"See 'granary help {command}' for usage."
            : "See 'granary help' for usage.");
        return 1;
    }
}
