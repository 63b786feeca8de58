using System.Collections.Immutable;
using Granary.Api;
using Granary.Model;

namespace Granary.Grains.Nodes;

/// <summary>What one node lifecycle pass sees. <see cref="PodsOn"/> is asked only for nodes that need their pods.</summary>
public sealed record NodeLifecycleInput
{
    public required IReadOnlyList<Node> Nodes { get; init; }

    /// <summary>The last lease heard of per node (absent: none heard since the controller started).</summary>
    public required IReadOnlyDictionary<string, NodeLeaseInfo> Leases { get; init; }

    /// <summary>The pods bound to a node.</summary>
    public required Func<string, IReadOnlyList<Pod>> PodsOn { get; init; }

    public required DateTimeOffset Now { get; init; }

    /// <summary>When this controller started: no lease is judged before one grace period after it.</summary>
    public required DateTimeOffset MonitorStart { get; init; }

    /// <summary>When a node of each zone last received a NoExecute taint (the eviction rate limiter's memory).</summary>
    public required IReadOnlyDictionary<string, DateTimeOffset> LastTaintedByZone { get; init; }

    public required NodeLifecycleOptions Options { get; init; }
}

/// <summary>What a pass decided; the grain writes it.</summary>
public sealed record NodeLifecyclePlan
{
    /// <summary>Nodes whose conditions or taints change.</summary>
    public ImmutableArray<NodeChange> Nodes { get; init; } = [];

    /// <summary>Pods on nodes whose agent went silent, with their Ready condition now False (kube's MarkPodsNotReady).</summary>
    public ImmutableArray<Pod> PodsNotReady { get; init; } = [];

    /// <summary>Pods to evict now.</summary>
    public ImmutableArray<PodEviction> Evictions { get; init; } = [];

    public ImmutableDictionary<string, ZoneState> Zones { get; init; } = ImmutableDictionary<string, ZoneState>.Empty;

    /// <summary>Every zone is fully disrupted: no NoExecute taint is added, and those there are removed.</summary>
    public bool AllZonesDisrupted { get; init; }

    /// <summary>The rate limiter's memory after this pass.</summary>
    public ImmutableDictionary<string, DateTimeOffset> LastTaintedByZone { get; init; } = ImmutableDictionary<string, DateTimeOffset>.Empty;

    /// <summary>When something is next due (a lease lapsing, an eviction, a rate-limited taint); null: nothing to watch.</summary>
    public DateTimeOffset? NextPass { get; init; }

    /// <summary>
    /// Some node is silent or carries a NoExecute taint: pods bound there later (or writes that failed) need a look,
    /// so the grain resyncs slowly even when nothing is due.
    /// </summary>
    public bool Watching { get; init; }
}

/// <param name="BecameUnknown">Ready turned Unknown in this pass (conditions to write, and the NodeNotReady event).</param>
public sealed record NodeChange(Node Before, Node After, bool BecameUnknown, ImmutableArray<Taint> Added, ImmutableArray<Taint> Removed)
{
    public bool TaintsChanged => !Added.IsEmpty || !Removed.IsEmpty;
}

/// <param name="Taint">The NoExecute taint that sends the pod away.</param>
public sealed record PodEviction(Pod Pod, string Node, Taint Taint);
