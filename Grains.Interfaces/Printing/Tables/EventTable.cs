using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>
/// LAST SEEN TYPE REASON OBJECT MESSAGE (+ SUBOBJECT SOURCE FIRST SEEN COUNT NAME), as kube-apiserver's event printer.
/// OBJECT is "kind/name" in lower case; rows are not sorted (kubectl get events prints them in list order).
/// </summary>
internal sealed class EventTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        new("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
        new("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
        new("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        new("Object", "The object that this event is about."),
        new("Subobject", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].", Priority: 1),
        new("Source", "The component reporting this event. Should be a short machine understandable string.", Priority: 1),
        new("Message", "A human-readable description of the status of this operation."),
        new("First Seen", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", Priority: 1),
        new("Count", "The number of times this event has occurred.", Priority: 1),
        NameColumn with { Priority = 1 },
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var e = (Event)resource;
        var first = e.FirstTimestamp is { } f ? HumanDuration.Since(f, now) : HumanDuration.Since(e.EventTime, now);
        var last = e.LastTimestamp is { } l ? HumanDuration.Since(l, now) : first;
        var count = e.Count ?? 0;
        if (e.Series is { } series)
        {
            last = HumanDuration.Since(series.LastObservedTime, now);
            count = series.Count;
        }
        else if (count == 0)
        {
            // Singleton events of the newer API carry no count.
            count = 1;
        }
        var kind = (e.InvolvedObject.Kind ?? "").ToLowerInvariant();
        var target = string.IsNullOrEmpty(e.InvolvedObject.Name) ? kind : $"{kind}/{e.InvolvedObject.Name}";
        return
        [
            last,
            e.Type ?? "",
            e.Reason ?? "",
            target,
            e.InvolvedObject.FieldPath ?? "",
            Source(e),
            (e.Message ?? "").Trim(),
            first,
            count.ToString(CultureInfo.InvariantCulture),
            e.Metadata.Name ?? "",
        ];
    }

    /// <summary>"component, host" (falling back to the reporting controller and instance), as formatEventSource.</summary>
    public static string Source(Event e)
    {
        var component = FirstNonEmpty(e.Source?.Component, e.ReportingComponent);
        var instance = FirstNonEmpty(e.Source?.Host, e.ReportingInstance);
        return instance.Length == 0 ? component : $"{component}, {instance}";
    }

    private static string FirstNonEmpty(string? a, string? b) => !string.IsNullOrEmpty(a) ? a : b ?? "";
}
