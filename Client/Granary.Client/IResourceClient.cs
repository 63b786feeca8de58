using Granary.Api;
using Granary.Model;

namespace Granary.Client;

/// <summary>The operations on one kind, untyped: for tools that work on any kind by name (the CLI).</summary>
public interface IResourceClient
{
    ResourceKind Kind { get; }

    Task<IResource> GetAsync(string? @namespace, string name, CancellationToken ct = default);

    Task<IResource> CreateAsync(IResource resource, CancellationToken ct = default);

    /// <summary>Create-or-update; tells whether the object was created, changed or already as given.</summary>
    Task<(IResource Object, ApplyOutcome Outcome)> ApplyAsync(IResource resource, CancellationToken ct = default);

    Task<IResource> DeleteAsync(string? @namespace, string name, DeleteOptions? options = null, CancellationToken ct = default);

    Task<ResourceList> ListAsync(ListOptions options, CancellationToken ct = default);

    /// <summary>Events in order, each exactly once, surviving silo failovers; throws Expired when the version is too old.</summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(WatchOptions options, CancellationToken ct = default);
}
