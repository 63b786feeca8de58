using Granary.Api;
using Granary.Client;
using Granary.Model;

namespace Granary.Cli.Commands;

/// <summary>The part of the SDK the commands use, so that commands can be tested against a recording fake.</summary>
internal interface IClusterApi : IAsyncDisposable
{
    IResourceClient For(ResourceKind kind);

    Task<ClusterStatus> GetClusterStatusAsync(CancellationToken ct);

    /// <summary>
    /// A pod container's output, oldest first (the only container when <paramref name="container"/> is null).
    /// With <paramref name="follow"/> it keeps waiting for new lines until the container stops or
    /// <paramref name="ct"/> is cancelled. A missing pod, an ambiguous or unknown container and an unreachable
    /// node are <see cref="Errors.GranaryException"/>s.
    /// </summary>
    IAsyncEnumerable<PodLogLine> ReadPodLogsAsync(string @namespace, string name, string? container, bool follow, int? tailLines,
        DateTimeOffset? since, bool previous, CancellationToken ct);

    /// <summary>Runs a command in a pod's container to its end and returns its exit code and output. Not idempotent.</summary>
    Task<PodExecResult> ExecInPodAsync(string @namespace, string name, IReadOnlyList<string> command, string? container, CancellationToken ct);
}

/// <summary>The real cluster, through <see cref="GranaryClient"/>.</summary>
internal sealed class SdkClusterApi(GranaryClient client) : IClusterApi
{
    public static async Task<IClusterApi> ConnectAsync(GranaryClientOptions options, CancellationToken ct) =>
        new SdkClusterApi(await GranaryClient.ConnectAsync(options, ct));

    public IResourceClient For(ResourceKind kind) => client.For(kind);

    public Task<ClusterStatus> GetClusterStatusAsync(CancellationToken ct) => client.GetClusterStatusAsync(ct);

    public IAsyncEnumerable<PodLogLine> ReadPodLogsAsync(string @namespace, string name, string? container, bool follow, int? tailLines,
        DateTimeOffset? since, bool previous, CancellationToken ct) =>
        client.Pods.ReadLogsAsync(@namespace, name, container, follow, tailLines, since, previous, ct);

    // The SDK's default timeout applies: the command's output comes back only when it has ended.
    public Task<PodExecResult> ExecInPodAsync(string @namespace, string name, IReadOnlyList<string> command, string? container, CancellationToken ct) =>
        client.Pods.ExecAsync(@namespace, name, command, container, timeout: null, ct);

    public ValueTask DisposeAsync() => client.DisposeAsync();
}
