using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Model;
using Microsoft.Extensions.Hosting;
using Orleans.Concurrency;

namespace Granary.Grains.ListWatch;

/// <summary>
/// Serves lists and watches from this silo's <see cref="WatchCache"/>. A stateless worker, so every silo
/// answers its own callers and no single grain becomes the hot spot; reentrant, so a watch waiting for
/// events does not hold up other calls.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class ListWatchGrain(WatchCache cache, IHostApplicationLifetime lifetime) : Grain, IListWatchGrain
{
    private const int MaxEventsPerBatch = 5000;
    private static readonly TimeSpan MaxWatchWait = TimeSpan.FromSeconds(20);

    public async Task<ResourceList> ListAsync(ListRequest request)
    {
        var filter = ObjectFilter.Parse(request.Namespace, request.LabelSelector, request.FieldSelector);
        var kindCache = await cache.ConsistentAsync(request.Kind);
        var (revision, items) = kindCache.Snapshot(filter);

        var start = 0;
        if (!string.IsNullOrEmpty(request.Continue))
        {
            var (tokenRevision, lastKey) = ContinueToken.Decode(request.Continue);
            start = items.FindIndex(i => string.CompareOrdinal(i.Key, lastKey) > 0);
            if (start < 0)
                start = items.Count;
            revision = tokenRevision;
        }
        var limit = request.Limit is > 0 ? request.Limit.Value : int.MaxValue;
        var page = items.Skip(start).Take(limit).Select(i => i.Value).ToImmutableArray();
        var more = start + page.Length < items.Count;
        var token = more ? ContinueToken.Encode(revision, items[start + page.Length - 1].Key) : null;
        return new ResourceList(revision.ToString(CultureInfo.InvariantCulture), page, token);
    }

    public async Task<WatchBatch> WatchAsync(WatchRequest request)
    {
        var filter = ObjectFilter.Parse(request.Namespace, request.LabelSelector, request.FieldSelector);
        if (!long.TryParse(request.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var after))
            throw new BadRequestException($"resourceVersion \"{request.ResourceVersion}\" is not one this server gave out (expected a number from a list or watch)");
        var kindCache = cache.For(request.Kind);
        await kindCache.Ready;

        var wait = request.MaxWait < MaxWatchWait ? request.MaxWait : MaxWatchWait;
        // A silo that is stopping answers waiting watches at once, so shutdown does not wait out the long polls;
        // the callers resume from the returned version on another silo.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        timeout.CancelAfter(wait);
        while (true)
        {
            var (events, resumeAt, changed) = kindCache.EventsAfter(after, filter, MaxEventsPerBatch);
            if (events.Count > 0 || timeout.IsCancellationRequested)
                return new WatchBatch([.. events], resumeAt.ToString(CultureInfo.InvariantCulture));
            after = resumeAt;
            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                // Nothing matched in time: the caller resumes from where we looked up to.
            }
        }
    }

    public Task<ImmutableArray<KindStats>> GetStatsAsync() =>
        Task.FromResult(ResourceKinds.All
            .Select(k => cache.For(k))
            .Select(c => new KindStats(c.Kind.Kind, c.Count, c.Revision.ToString(CultureInfo.InvariantCulture)))
            .ToImmutableArray());
}

/// <summary>The opaque continue token of a paged list: the list's revision and the last key returned.</summary>
internal static class ContinueToken
{
    public static string Encode(long revision, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{revision}|{lastKey}"));

    public static (long Revision, string LastKey) Decode(string token)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var sep = text.IndexOf('|', StringComparison.Ordinal);
            return (long.Parse(text.AsSpan(0, sep), CultureInfo.InvariantCulture), text[(sep + 1)..]);
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new BadRequestException("the continue token is not one this server gave out; list again from the start");
        }
    }
}
