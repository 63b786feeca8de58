using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class EventValidationTests
{
    private static Event Valid() => new()
    {
        Metadata = new() { Name = "web.1826d2c3b1a0f000", Namespace = "shop" },
        InvolvedObject = new() { Kind = "Pod", Namespace = "shop", Name = "web", Uid = "u1", ApiVersion = "v1", FieldPath = "spec.containers{main}" },
        Reason = "Started",
        Message = "Started container main",
        Source = new() { Component = "granary-agent", Host = "n1" },
        Count = 1,
        Type = "Normal",
    };

    private static Case<Func<Event, Event>> Row(string name, Func<Event, Event> change, params string[] expected) => new(name, change, expected);

    private static readonly DateTimeOffset EventTime = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static Event NewApi(Event e) => e with { EventTime = EventTime, ReportingComponent = "granary-agent", ReportingInstance = "n1", Action = "Started" };

    public static TheoryData<Case<Func<Event, Event>>> Events => new()
    {
        Row("valid", e => e),
        Row("warning", e => e with { Type = "Warning" }),
        Row("no type (old clients)", e => e with { Type = null }),
        Row("node event in default", e => e with { Metadata = e.Metadata with { Namespace = "default" }, InvolvedObject = new() { Kind = "Node", Name = "n1" } }),
        Row("node event elsewhere", e => e with { InvolvedObject = new() { Kind = "Node", Name = "n1" } },
            "involvedObject.namespace: Invalid value: \"\": does not match event.namespace"),
        Row("other namespace", e => e with { InvolvedObject = e.InvolvedObject with { Namespace = "other" } },
            "involvedObject.namespace: Invalid value: \"other\": does not match event.namespace"),
        Row("unknown type", e => e with { Type = "Error" }, "type: Invalid value: \"\": has invalid value: Error"),
        Row("negative count", e => e with { Count = -1 }, "count: Invalid value: must be greater than or equal to 0"),
        Row("name not a subdomain", e => e with { Metadata = e.Metadata with { Name = "Web_1" } },
            $"metadata.name: Invalid value: \"Web_1\": {KubernetesText.Subdomain}"),
        Row("new api, complete", NewApi),
        Row("new api, nothing reported", e => e with { EventTime = EventTime, Reason = null },
            "reportingComponent: Required value", "reportingInstance: Required value", "action: Required value", "reason: Required value"),
        Row("new api, long reason", e => NewApi(e) with { Reason = new string('r', 129) },
            "reason: Invalid value: \"\": can have at most 128 characters"),
        Row("new api, long message", e => NewApi(e) with { Message = new string('m', 1025) },
            "message: Invalid value: \"\": can have at most 1024 characters"),
        Row("new api, node event in kube-system", e => NewApi(e) with { Metadata = e.Metadata with { Namespace = "kube-system" }, InvolvedObject = new() { Kind = "Node", Name = "n1" } }),
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void Validate_Event_ReportsKubernetesErrors(Case<Func<Event, Event>> c) =>
        Assert.Equal(c.Expected, EventValidation.Validate(c.Input(Valid())).Select(e => e.ToString()));
}
