using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Storage;

/// <summary>
/// How one silo notices that Redis lost a kind's data. Each kind has an epoch key in Redis, written once with a
/// random value; every store script creates it when it is missing and returns it. A Redis that restarted empty
/// answers with a new epoch, and one that came back from an older snapshot shows revisions going backwards (the
/// reader then rotates the epoch so the other silos notice too). Either way the store raises the kind's
/// revision past every revision handed out before the loss (etcd's <c>--bump-revision</c>), so an old
/// resourceVersion can never name a new state and every watch from before ends with 410 Gone, and then raises
/// the kind's generation so caches relist and grains reload.
/// </summary>
internal sealed partial class StoreEpochs(ILogger logger)
{
    /// <summary>
    /// How far revisions jump after a loss. Wider than any silo's lag behind another, so a revision some client
    /// saw on another silo is also below the new start.
    /// </summary>
    public const long RevisionGap = 1_000_000;

    private readonly Dictionary<string, KindEpoch> _kinds = new(StringComparer.Ordinal);

    private sealed class KindEpoch
    {
        public string? Epoch;
        public long MaxRevision;
        public int Generation;
        public Task? Repair;
    }

    /// <summary>Raised once per detected loss, after the repair.</summary>
    public event Action<ResourceKind>? DataLost;

    public int Generation(ResourceKind kind)
    {
        var state = For(kind);
        lock (state)
            return state.Generation;
    }

    public static string NewEpoch() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// Records what a script saw (the kind's epoch and a revision the store handed out). When the epoch changed
    /// since this silo last looked, runs the repair once and waits for it, so the caller never returns an answer
    /// from before the repair as current.
    /// </summary>
    public Task ObserveAsync(ResourceKind kind, string epoch, long revision, Func<long, bool, Task<string>> repair)
    {
        var state = For(kind);
        lock (state)
        {
            if (state.Epoch is null)
                state.Epoch = epoch;
            if (state.Epoch == epoch)
            {
                state.MaxRevision = Math.Max(state.MaxRevision, revision);
                return state.Repair is { IsCompleted: false } pending ? pending : Task.CompletedTask;
            }
            if (state.Repair is { IsCompleted: false } running)
                return running;
            LogEpochChanged(logger, kind.Plural, state.Epoch, epoch, state.MaxRevision);
            return state.Repair = RepairAsync(kind, state, rotate: false, repair);
        }
    }

    /// <summary>A reader that resumed after <paramref name="after"/> found the store at an older revision: a rollback.</summary>
    public Task WentBackwardsAsync(ResourceKind kind, long after, long revision, Func<long, bool, Task<string>> repair)
    {
        var state = For(kind);
        lock (state)
        {
            if (state.Repair is { IsCompleted: false } running)
                return running;
            LogWentBackwards(logger, kind.Plural, after, revision);
            state.MaxRevision = Math.Max(state.MaxRevision, after);
            return state.Repair = RepairAsync(kind, state, rotate: true, repair);
        }
    }

    private async Task RepairAsync(ResourceKind kind, KindEpoch state, bool rotate, Func<long, bool, Task<string>> repair)
    {
        long floor;
        lock (state)
            floor = state.MaxRevision + RevisionGap;
        var epoch = await repair(floor, rotate);
        lock (state)
        {
            state.Epoch = epoch;
            state.MaxRevision = Math.Max(state.MaxRevision, floor);
            state.Generation++;
        }
        LogRepaired(logger, kind.Plural, floor);
        DataLost?.Invoke(kind);
    }

    private KindEpoch For(ResourceKind kind)
    {
        lock (_kinds)
        {
            if (!_kinds.TryGetValue(kind.Plural, out var state))
                _kinds[kind.Plural] = state = new KindEpoch();
            return state;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis lost the {Kind} data: its epoch changed from {Old} to {New} (Redis restarted without its append-only file, or was flushed). Objects written before may be gone; this silo drops its copies and lists again, and watches from before end with 410. Revisions so far reached {Revision}.")]
    private static partial void LogEpochChanged(ILogger logger, string kind, string? old, string @new, long revision);

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis went back in time for {Kind}: a reader at revision {After} found the store at {Revision} (Redis restarted from an older snapshot, or a replica that had not caught up was promoted). Writes after {Revision} are lost; this silo drops its copies and lists again, and watches from before end with 410.")]
    private static partial void LogWentBackwards(ILogger logger, string kind, long after, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Revisions of {Kind} now start above {Floor}, past every one handed out before the loss; caches relist and watches from before get 410 Gone")]
    private static partial void LogRepaired(ILogger logger, string kind, long floor);
}
