namespace Granary.Grains.Scheduling;

/// <summary>
/// Where the next pod's search for feasible nodes starts (kube-scheduler's nextStartNodeIndex): each search goes on
/// from where the previous one stopped, so when only a sample of the nodes is checked, every node takes its turn.
/// </summary>
internal readonly record struct NodeSearch(int Count, int Start)
{
    /// <summary>The first search of a pass over <paramref name="count"/> nodes, rotated by the pass's seed.</summary>
    public static NodeSearch Starting(int count, int rotationSeed) =>
        new(count, count == 0 ? 0 : (int)(((long)rotationSeed % count + count) % count));

    /// <summary>The index of the node <paramref name="offset"/> places after the start, wrapping round.</summary>
    public int NodeAt(int offset) => (Start + offset) % Count;

    /// <summary>The search after this one, which checked <paramref name="checkedNodes"/> nodes.</summary>
    public NodeSearch After(int checkedNodes) => this with { Start = Count == 0 ? 0 : (Start + checkedNodes) % Count };
}
