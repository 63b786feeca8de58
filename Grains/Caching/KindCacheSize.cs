namespace Granary.Grains.Caching;

/// <summary>The size of one kind's cache: objects held and the bytes of their stored JSON, changes in the watch history and theirs.</summary>
public readonly record struct KindCacheSize(int Objects, long ObjectBytes, int HistoryEvents, long HistoryBytes);
