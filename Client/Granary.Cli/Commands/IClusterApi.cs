using Granary.Client;
using Granary.Model;

namespace Granary.Cli.Commands;

/// <summary>The part of the SDK the commands use, so that commands can be tested against a recording fake.</summary>
internal interface IClusterApi : IAsyncDisposable
{
    IResourceClient For(ResourceKind kind);

    Task<ClusterStatus> GetClusterStatusAsync(CancellationToken ct);
}

/// <summary>The real cluster, through <see cref="GranaryClient"/>.</summary>
internal sealed class SdkClusterApi(GranaryClient client) : IClusterApi
{
    public static async Task<IClusterApi> ConnectAsync(GranaryClientOptions options, CancellationToken ct) =>
        new SdkClusterApi(await GranaryClient.ConnectAsync(options, ct));

    public IResourceClient For(ResourceKind kind) => client.For(kind);

    public Task<ClusterStatus> GetClusterStatusAsync(CancellationToken ct) => client.GetClusterStatusAsync(ct);

    public ValueTask DisposeAsync() => client.DisposeAsync();
}
