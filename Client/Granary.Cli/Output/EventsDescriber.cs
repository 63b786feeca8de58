using System.Globalization;
using Granary.Model;
using Granary.Printing;

namespace Granary.Cli.Output;

/// <summary>The Events section of `describe`, as kubectl's DescribeEvents: oldest first, "Age" with repeats as "(xN over T)".</summary>
internal static class EventsDescriber
{
    public static void Describe(DescribeWriter w, IReadOnlyList<Event> events)
    {
        if (events.Count == 0)
        {
            w.Line(0, "Events:\t<none>");
            return;
        }
        w.Line(0, "Events:");
        w.Line(1, "Type\tReason\tAge\tFrom\tMessage");
        w.Line(1, "----\t------\t----\t----\t-------");
        foreach (var e in events.OrderBy(LastSeen))
        {
            var first = e.EventTime is { } eventTime ? HumanDuration.Since(eventTime, w.Now) : HumanDuration.Since(e.FirstTimestamp, w.Now);
            var age = e.Series is { } series
                ? string.Create(CultureInfo.InvariantCulture, $"{HumanDuration.Since(series.LastObservedTime, w.Now)} (x{series.Count} over {first})")
                : e.Count > 1
                    ? string.Create(CultureInfo.InvariantCulture, $"{HumanDuration.Since(e.LastTimestamp, w.Now)} (x{e.Count} over {first})")
                    : first;
            var from = !string.IsNullOrEmpty(e.Source?.Component) ? e.Source.Component : e.ReportingComponent ?? "";
            w.Line(1, $"{e.Type}\t{e.Reason}\t{age}\t{from}\t{(e.Message ?? "").Trim()}");
        }
    }

    /// <summary>The field selector kubectl sends for an object's events: its name, namespace and uid.</summary>
    public static string SelectorFor(IResource resource) =>
        $"involvedObject.name={resource.Metadata.Name},involvedObject.namespace={resource.Metadata.Namespace},involvedObject.uid={resource.Metadata.Uid}";

    private static DateTimeOffset LastSeen(Event e) =>
        e.Series?.LastObservedTime ?? e.LastTimestamp ?? e.EventTime ?? e.FirstTimestamp ?? DateTimeOffset.MinValue;
}
