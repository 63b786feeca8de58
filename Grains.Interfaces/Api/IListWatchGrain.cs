using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Api;

/// <summary>
/// Lists and watches, served from the watch cache of the silo that receives the call (a stateless worker,
/// so every silo serves them and no grain holds every object). resourceVersions are per kind and global,
/// so a watch resumes from any list or event on any silo.
/// </summary>
[Alias("granary.IListWatchGrain")]
public interface IListWatchGrain : IGrainWithIntegerKey
{
    /// <summary>A consistent list: it reflects every write acknowledged before the call. Read-only.</summary>
    [Alias("List")]
    Task<ResourceList> ListAsync(ListRequest request);

    /// <summary>
    /// The events after <see cref="WatchRequest.ResourceVersion"/>, waiting up to <see cref="WatchRequest.MaxWait"/>
    /// for the first one. The returned <see cref="WatchBatch.ResourceVersion"/> is where the next call resumes,
    /// even when no event matched. Throws Expired when the version is older than the retained history.
    /// </summary>
    [Alias("Watch")]
    Task<WatchBatch> WatchAsync(WatchRequest request);

    /// <summary>Object counts and revisions per kind, as this silo's cache sees them.</summary>
    [Alias("Stats")]
    Task<ImmutableArray<KindStats>> GetStatsAsync();
}

[GenerateSerializer, Immutable, Alias("granary.ListRequest")]
public sealed record ListRequest
{
    [Id(0)] public required ResourceKind Kind { get; init; }
    /// <summary>Null lists across all namespaces.</summary>
    [Id(1)] public string? Namespace { get; init; }
    [Id(2)] public string? LabelSelector { get; init; }
    [Id(3)] public string? FieldSelector { get; init; }
    /// <summary>At most this many items; the rest is reached through <see cref="ResourceList.Continue"/>.</summary>
    [Id(4)] public int? Limit { get; init; }
    [Id(5)] public string? Continue { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ResourceList")]
public sealed record ResourceList(
    [property: Id(0)] string ResourceVersion,
    [property: Id(1)] ImmutableArray<IResource> Items,
    [property: Id(2)] string? Continue);

[GenerateSerializer, Immutable, Alias("granary.WatchRequest")]
public sealed record WatchRequest
{
    [Id(0)] public required ResourceKind Kind { get; init; }
    [Id(1)] public string? Namespace { get; init; }
    [Id(2)] public string? LabelSelector { get; init; }
    [Id(3)] public string? FieldSelector { get; init; }
    /// <summary>Deliver events after this version (from a list or an earlier batch).</summary>
    [Id(4)] public required string ResourceVersion { get; init; }
    [Id(5)] public TimeSpan MaxWait { get; init; } = TimeSpan.FromSeconds(15);
}

public enum WatchEventType { Added, Modified, Deleted }

[GenerateSerializer, Immutable, Alias("granary.WatchEvent")]
public sealed record WatchEvent(
    [property: Id(0)] WatchEventType Type,
    [property: Id(1)] IResource Object);

[GenerateSerializer, Immutable, Alias("granary.WatchBatch")]
public sealed record WatchBatch(
    [property: Id(0)] ImmutableArray<WatchEvent> Events,
    [property: Id(1)] string ResourceVersion);

[GenerateSerializer, Immutable, Alias("granary.KindStats")]
public sealed record KindStats(
    [property: Id(0)] string Kind,
    [property: Id(1)] int Count,
    [property: Id(2)] string ResourceVersion);
