using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Resources;

/// <summary>
/// Owns one event (key "namespace/name"). An event has no spec or status: an update replaces its whole body.
/// Recorders write through <see cref="RecordAsync"/>, which creates the event or takes a repeat's higher count.
/// </summary>
public sealed class EventGrain(IObjectStore store, TimeProvider time, ILogger<EventGrain> logger)
    : ResourceGrain<Event>(store, time, logger), IEventGrain
{
    protected override ImmutableList<FieldError> Validate(Event resource) => EventValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(Event old, Event updated) =>
        [.. MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata), .. Validate(updated)];

    // The whole body is the writer's; only metadata is the grain's.
    protected override Event WithSpec(Event existing, Event desired) => desired with { Metadata = existing.Metadata };

    protected override Event WithStatus(Event existing, Event desired) => existing;

    public async Task<Event> RecordAsync(Event occurrence)
    {
        if (Current is null)
            return await CreateAsync(occurrence);
        var existing = Current;
        var bumped = existing with
        {
            // The count never goes down: a repeated write of the same occurrence changes nothing.
            Count = Math.Max(existing.Count ?? 1, occurrence.Count ?? 1),
            LastTimestamp = Later(existing.LastTimestamp, occurrence.LastTimestamp),
            Message = occurrence.Message,
            Series = occurrence.Series ?? existing.Series,
            InvolvedObject = occurrence.InvolvedObject,
        };
        return await WriteUpdateAsync(existing, bumped) ?? existing;
    }

    /// <summary>
    /// An event is written once and rarely again, and is read from the watch cache, not from here: its activation would
    /// hold the event idle until grain collection (Orleans: 15 minutes; at hundreds of events a second, a hundred
    /// thousand activations). It goes as soon as the call ends; a repeat reads the event back from the store.
    /// </summary>
    protected override Task AfterWriteAsync(Event? before, Event? after)
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
