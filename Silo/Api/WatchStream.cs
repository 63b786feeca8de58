using System.Globalization;
using System.Text.Json.Nodes;
using Granary.Api;
using Granary.Errors;
using Granary.Model;
using Granary.Selectors;
using Granary.Serialization;

namespace Granary.Silo.Api;

/// <summary>
/// One watch, as kube-apiserver streams it: a chunked response of newline-delimited
/// <c>{"type":…,"object":…}</c> events, each flushed as it happens. Fed by looping the ListWatchGrain's long
/// polls, each resuming from the version the previous one returned. resourceVersion empty or "0" first sends the
/// current matches as ADDED (kubectl's single-object watch drops that first event). A version older than the
/// retained history ends the stream with an ERROR event carrying a 410 Expired Status; kubectl then lists again.
/// </summary>
internal sealed partial class WatchStream(HttpContext context, IGrainFactory grains, TimeProvider time, IHostApplicationLifetime lifetime,
    ResourceKind kind, string? @namespace, ApiQuery query)
{
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(15);

    public async Task RunAsync()
    {
        // Everything a request can get wrong is checked before the stream starts, so it is a 400 Status, not an ERROR event.
        LabelSelector.Parse(query.LabelSelector);
        FieldSelector.Parse(query.FieldSelector);
        var from = query.ResourceVersion is null or "0" ? null : query.ResourceVersion;
        if (from is not null && !long.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new BadRequestException($"resourceVersion \"{from}\" is not one this server gave out (expected a number from a list or watch)");

        var grain = grains.GetGrain<IListWatchGrain>(0);
        IReadOnlyList<WatchEvent> initial = [];
        if (from is null)
        {
            var list = await grain.ListAsync(new ListRequest { Kind = kind, Namespace = @namespace, LabelSelector = query.LabelSelector, FieldSelector = query.FieldSelector });
            initial = [.. list.Items.Select(i => new WatchEvent(WatchEventType.Added, i))];
            from = list.ResourceVersion;
        }

        // Ends the stream when timeoutSeconds passes, the client goes away or the silo stops (kubectl then lists again).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        if (query.Timeout is { } timeout)
            stop.CancelAfter(timeout);

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        // Writes stop only when the client is gone: Kestrel aborts the connection (a reset, not an end) when a write is
        // cancelled midway, so the timeout and the silo's stop end the stream between events, never inside one.
        var written = context.RequestAborted;
        await context.Response.StartAsync(written);
        try
        {
            await WriteEventsAsync(initial, written);
            while (true)
            {
                WatchBatch batch;
                try
                {
                    batch = await grain.WatchAsync(new WatchRequest
                    {
                        Kind = kind,
                        Namespace = @namespace,
                        LabelSelector = query.LabelSelector,
                        FieldSelector = query.FieldSelector,
                        ResourceVersion = from,
                        MaxWait = LongPoll,
                    }).WaitAsync(stop.Token);
                }
                catch (GranaryException e)
                {
                    await WriteAsync("ERROR", ApiStatus.From(e), written);
                    return;
                }
                await WriteEventsAsync(batch.Events, written);
                if (batch.Events.IsEmpty && query.AllowBookmarks)
                    await WriteAsync("BOOKMARK", Bookmark(batch.ResourceVersion), written);
                from = batch.ResourceVersion;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) // the client gone cancels stop too: it is linked
        {
            // The watch is over; closing the stream tells the client so.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWatchFailed(context.RequestServices.GetRequiredService<ILogger<WatchStream>>(), e, kind.Plural, from ?? "");
            await WriteAsync("ERROR", ApiStatus.Internal(e.Message), written);
        }
    }

    private async Task WriteEventsAsync(IReadOnlyList<WatchEvent> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            var type = e.Type switch
            {
                WatchEventType.Added => "ADDED",
                WatchEventType.Modified => "MODIFIED",
                _ => "DELETED",
            };
            await WriteAsync(type, query.AsTable
                ? ResourceTables.Table(kind, [e.Object], e.Object.Metadata.ResourceVersion, null, query.Include, time.GetUtcNow())
                : ResourceJson.Object(e.Object), ct);
        }
    }

    private async Task WriteAsync(string type, JsonObject body, CancellationToken ct)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = body }.ToJsonString(GranaryJson.Options) + "\n";
        await context.Response.WriteAsync(line, ct);
        await context.Response.Body.FlushAsync(ct);
    }

    /// <summary>Tells the client how far the watch has seen when nothing matched, so a reconnect resumes from there.</summary>
    private JsonObject Bookmark(string resourceVersion) => new()
    {
        ["kind"] = kind.Kind,
        ["apiVersion"] = kind.ApiVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Watch of {Plural} from resourceVersion {ResourceVersion} failed")]
    private static partial void LogWatchFailed(ILogger logger, Exception e, string plural, string resourceVersion);
}
