using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Selectors;

/// <summary>
/// A Kubernetes field selector (<c>spec.nodeName=n1,status.phase!=Running</c>) over the fields that can be
/// selected on: metadata.name and metadata.namespace (every kind), spec.nodeName and status.phase (pods), spec.clusterIP
/// and spec.type (services), and the involvedObject.*, reason, reportingComponent, source and type of events
/// (kube-apiserver's event fields).
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.FieldSelector")]
public sealed record FieldSelector([property: Id(0)] ImmutableArray<FieldRequirement> Requirements)
{
    public static readonly FieldSelector Everything = new(ImmutableArray<FieldRequirement>.Empty);

    private static readonly ImmutableArray<string> Supported =
    [
        "metadata.name", "metadata.namespace", "spec.nodeName", "status.phase", "spec.clusterIP", "spec.type",
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
        "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
    ];

    public bool IsEmpty => Requirements.IsDefaultOrEmpty;

    public bool Matches(IResource resource) => IsEmpty || Requirements.All(r => r.Matches(resource));

    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return Everything;
        var requirements = ImmutableArray.CreateBuilder<FieldRequirement>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (op, at, len) = part.IndexOf("!=", StringComparison.Ordinal) is var ne and >= 0 ? (false, ne, 2)
                : part.IndexOf("==", StringComparison.Ordinal) is var ee and >= 0 ? (true, ee, 2)
                : part.IndexOf('=', StringComparison.Ordinal) is var e and >= 0 ? (true, e, 1)
                : throw new BadRequestException($"invalid field selector \"{text}\": \"{part}\" has no operator (use field=value or field!=value)");
            var field = part[..at].Trim();
            if (!Supported.Contains(field))
                throw new BadRequestException($"field label not supported: {field} (supported: {string.Join(", ", Supported)})");
            requirements.Add(new FieldRequirement(field, part[(at + len)..].Trim(), op));
        }
        return new FieldSelector(requirements.ToImmutable());
    }

    /// <summary>The value of a selectable field, or "" when the object has none.</summary>
    public static string ValueOf(IResource resource, string field) => field switch
    {
        "metadata.name" => resource.Metadata.Name ?? "",
        "metadata.namespace" => resource.Metadata.Namespace ?? "",
        "spec.nodeName" => (resource as Pod)?.Spec.NodeName ?? "",
        "spec.clusterIP" => (resource as Service)?.Spec.ClusterIP ?? "",
        "spec.type" => (resource as Service)?.Spec.Type ?? "",
        "status.phase" => (resource as Pod)?.Status?.Phase ?? (resource as Namespace)?.Status?.Phase ?? "",
        _ when resource is Event e => EventValueOf(e, field),
        _ => "",
    };

    private static string EventValueOf(Event e, string field) => field switch
    {
        "involvedObject.kind" => e.InvolvedObject.Kind ?? "",
        "involvedObject.namespace" => e.InvolvedObject.Namespace ?? "",
        "involvedObject.name" => e.InvolvedObject.Name ?? "",
        "involvedObject.uid" => e.InvolvedObject.Uid ?? "",
        "involvedObject.apiVersion" => e.InvolvedObject.ApiVersion ?? "",
        "involvedObject.resourceVersion" => e.InvolvedObject.ResourceVersion ?? "",
        "involvedObject.fieldPath" => e.InvolvedObject.FieldPath ?? "",
        "reason" => e.Reason ?? "",
        "reportingComponent" => e.ReportingComponent ?? "",
        // As kube-apiserver: the source's component, or the reporting controller when there is none.
        "source" => !string.IsNullOrEmpty(e.Source?.Component) ? e.Source.Component : e.ReportingComponent ?? "",
        "type" => e.Type ?? "",
        _ => "",
    };

    public override string ToString() => string.Join(",", Requirements.IsDefault ? [] : Requirements.Select(r => r.ToString()));
}

[GenerateSerializer, Immutable, Alias("granary.FieldRequirement")]
public sealed record FieldRequirement([property: Id(0)] string Field, [property: Id(1)] string Value, [property: Id(2)] bool Equal)
{
    public bool Matches(IResource resource) => string.Equals(FieldSelector.ValueOf(resource, Field), Value, StringComparison.Ordinal) == Equal;

    public override string ToString() => Equal ? $"{Field}={Value}" : $"{Field}!={Value}";
}
