using Granary.Cli.Arguments;

namespace Granary.Cli.Commands;

/// <summary>
/// `granary exec`: runs a command in a pod's container and prints its output, exiting with its exit code as
/// kubectl exec does. Not interactive: the command gets no stdin and no terminal, and its output is printed
/// when it has ended.
/// </summary>
internal sealed class ExecCommand : ICommand
{
    public string Name => "exec";

    public string Summary => "Run a command in a container of a pod";

    public string Usage => """
        Run a command in a container of a pod and print what it writes: its stdout to stdout and its stderr to
        stderr, once it has ended. granary exits with the command's exit code. The container may be left out
        when the pod has only one. Interactive sessions (-i, -t) are not supported.

        Usage:
          granary exec POD [-c CONTAINER] [-n NS] -- COMMAND [ARGS ...]
          granary exec pod/NAME [...] -- COMMAND [ARGS ...]

        Everything after -- is the command and its arguments, passed as they are.

        Examples:
          granary exec web -- ls /                       list / in web's only container
          granary exec web -c sidecar -- cat /etc/hosts  in one container of several
          granary exec web -n team-a -- sh -c 'echo $HOSTNAME'

        Flags:
          -n, --namespace NS       the namespace (default "default")
          -c, --container NAME     the container; needed when the pod has more than one
        """;

    public async Task<int> RunAsync(CommandContext context, CancellationToken ct)
    {
        var args = context.Args;
        if (args.Interactive)
            throw new CommandException("interactive exec (-i/-t) is not supported: granary exec runs a command and prints its output");
        // kubectl's rules: the pod before --, the command after it, and nothing else before it.
        var before = args.ArgsBeforeDash ?? args.Args.Length;
        if (before > 1)
            throw new UsageException("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead");
        if (before == 0)
            throw new UsageException("pod or type/name must be specified");
        var command = args.Args[1..];
        if (command.IsEmpty)
            throw new UsageException("you must specify at least one command for the container");
        var name = ResourceArgs.PodName(args.Args[0], "exec into");

        await using var cluster = await context.ConnectAsync(ct);
        var result = await cluster.ExecInPodAsync(args.EffectiveNamespace, name, command, args.Container, ct);
        context.Out.Write(result.Stdout);
        context.Error.Write(result.Stderr);
        if (result.ExitCode != 0)
            context.Error.WriteLine($"command terminated with exit code {result.ExitCode}");
        return result.ExitCode;
    }
}
