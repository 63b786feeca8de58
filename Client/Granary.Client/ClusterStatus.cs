using System.Collections.Immutable;
using Granary.Api;

namespace Granary.Client;

/// <summary>The silos of the cluster and how many objects of each kind it holds.</summary>
public sealed record ClusterStatus(ImmutableArray<SiloInfo> Silos, ImmutableArray<KindStats> Objects);

public sealed record SiloInfo(string Address, string Name, string Status, DateTimeOffset StartedAt);
