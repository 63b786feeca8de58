using System.Runtime.CompilerServices;
using Granary.Api;
using Granary.Model;

namespace Granary.Client;

/// <summary>What only pods have: their containers' output and exec, answered by the node agent running them.</summary>
public static class PodOperations
{
    private static readonly TimeSpan FollowWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A container's output, oldest first. With <paramref name="follow"/>, keeps waiting for new lines until the
    /// container stops or <paramref name="ct"/> is cancelled.
    /// </summary>
    public static async IAsyncEnumerable<PodLogLine> ReadLogsAsync(this ResourceClient<Pod> pods, string @namespace, string name,
        string? container = null, bool follow = false, int? tailLines = null, DateTimeOffset? since = null, bool previous = false,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var grain = pods.Grains.GetGrain<IPodGrain>($"{@namespace}/{name}");
        var request = new PodLogRequest { Container = container, TailLines = tailLines, SinceTime = since, Previous = previous };
        while (true)
        {
            var chunk = await grain.ReadLogsAsync(request).WaitAsync(ct);
            foreach (var line in chunk.Lines)
                yield return line;
            if (!follow || (!chunk.Running && chunk.Lines.IsEmpty))
                yield break;
            // Continue after the last line seen; only new lines from here on.
            request = request with
            {
                TailLines = null,
                SinceTime = chunk.Lines.IsEmpty ? request.SinceTime : chunk.Lines[^1].Timestamp,
                Wait = FollowWait,
            };
        }
    }

    /// <summary>Runs a command in a container (the only one when <paramref name="container"/> is null).</summary>
    public static Task<PodExecResult> ExecAsync(this ResourceClient<Pod> pods, string @namespace, string name, IReadOnlyList<string> command,
        string? container = null, TimeSpan? timeout = null, CancellationToken ct = default) =>
        pods.Grains.GetGrain<IPodGrain>($"{@namespace}/{name}")
            .ExecAsync(new PodExecRequest { Container = container, Command = [.. command], Timeout = timeout ?? TimeSpan.FromSeconds(60) })
            .WaitAsync(ct);
}
