using System.Globalization;
using Granary.Api;
using Granary.Cli.Arguments;

namespace Granary.Cli.Commands;

/// <summary>`granary logs`: a pod container's output, once or followed (-f), as kubectl logs prints it.</summary>
internal sealed class LogsCommand : ICommand
{
    private const string Expected =
        "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'. POD or TYPE/NAME is a required argument for the logs command";

    public string Name => "logs";

    public string Summary => "Print the logs of a container in a pod";

    public string Usage => """
        Print the output of a container in a pod: its stdout and stderr together, oldest first. The container
        may be left out when the pod has only one.

        Usage:
          granary logs POD [CONTAINER] [-c CONTAINER] [-n NS] [-f] [--tail N] [--since DURATION] [-p] [--timestamps]
          granary logs pod/NAME [...]

        Examples:
          granary logs web                       the output of web's only container
          granary logs web -c sidecar            the output of one container of several
          granary logs web -f --tail 10          the last 10 lines, then every new line (Ctrl-C ends)
          granary logs web --since 1h30m         the lines of the last hour and a half
          granary logs web -p                    the output of the container's previous, terminated run

        Flags:
          -n, --namespace NS       the namespace (default "default")
          -c, --container NAME     the container; needed when the pod has more than one
          -f, --follow             keep printing new lines until the container stops or Ctrl-C
          --tail N                 only the last N lines (default -1: all)
          --since DURATION         only lines newer than this, e.g. 30s, 5m, 1h30m
          -p, --previous           the previous, terminated instance of the container
          --timestamps             prefix each line with its time (RFC3339Nano)
        """;

    public async Task<int> RunAsync(CommandContext context, CancellationToken ct)
    {
        var args = context.Args;
        if (args.Args.Length is 0 or > 2)
            throw new UsageException(Expected);
        var name = ResourceArgs.PodName(args.Args[0], "get the logs of");
        var container = args.Container;
        if (args.Args.Length == 2)
        {
            if (container is not null)
                throw new UsageException("only one of -c or an inline [CONTAINER] arg is allowed");
            container = args.Args[1];
        }
        if (args.Tail < -1)
            throw new UsageException("--tail must be greater than or equal to -1");
        if (args.Since < TimeSpan.Zero)
            throw new UsageException("--since must be greater than 0");
        // As kubectl: --since 0 is no limit, and -1 lines is all of them.
        DateTimeOffset? since = args.Since is { } ago && ago > TimeSpan.Zero ? context.Now - ago : null;
        int? tail = args.Tail == -1 ? null : args.Tail;

        await using var cluster = await context.ConnectAsync(ct);
        try
        {
            var lines = cluster.ReadPodLogsAsync(args.EffectiveNamespace, name, container, args.Follow, tail, since, args.Previous, ct);
            await foreach (var line in lines)
                context.Out.WriteLine(Line(line, args.Timestamps));
        }
        catch (OperationCanceledException) when (args.Follow && ct.IsCancellationRequested)
        {
            // Following ends with Ctrl-C or SIGTERM; that is how it is meant to end, as `get -w` does.
        }
        return 0;
    }

    /// <summary>
    /// One line as kubectl prints it: the text (stderr's too: kubectl does not set them apart), with
    /// <c>--timestamps</c> after the time in RFC3339Nano (UTC, the fraction without trailing zeros) and a space.
    /// </summary>
    internal static string Line(PodLogLine line, bool timestamps) =>
        timestamps ? $"{Rfc3339Nano(line.Timestamp)} {line.Text}" : line.Text;

    /// <summary>Go's RFC3339Nano: <c>2024-03-01T12:00:00.5Z</c>, <c>2024-03-01T12:00:00Z</c> when on the second.</summary>
    internal static string Rfc3339Nano(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
