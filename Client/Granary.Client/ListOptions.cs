namespace Granary.Client;

/// <summary>What to list. A null namespace lists across all namespaces (for namespaced kinds).</summary>
public sealed record ListOptions
{
    public string? Namespace { get; init; }
    public string? LabelSelector { get; init; }
    /// <summary>Supported fields: metadata.name, metadata.namespace, spec.nodeName, status.phase.</summary>
    public string? FieldSelector { get; init; }
    public int? Limit { get; init; }
    public string? Continue { get; init; }
}

/// <summary>What to watch, and the version to start after (from a list or an earlier event).</summary>
public sealed record WatchOptions
{
    public string? Namespace { get; init; }
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }
    /// <summary>Events after this version are delivered. Null: the watch first lists and reports every existing object as Added.</summary>
    public string? ResourceVersion { get; init; }
}

/// <summary>A typed watch event.</summary>
public sealed record WatchEvent<T>(Granary.Api.WatchEventType Type, T Object);

/// <summary>A typed list: its items and the version to watch from.</summary>
public sealed record ResourceList<T>(System.Collections.Immutable.ImmutableArray<T> Items, string ResourceVersion, string? Continue);
