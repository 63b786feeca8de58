using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// kube-apiserver's rules for core/v1 events (legacyValidateEvent): the event lives in its object's namespace
/// ("default" for cluster-scoped objects); an event with an eventTime (the newer API) also names its reporting
/// controller and instance, action and reason, within kube's lengths. The type must be Normal or Warning when set.
/// </summary>
public static class EventValidation
{
    public const int ReasonLengthLimit = 128;
    public const int ActionLengthLimit = 128;
    public const int ReportingInstanceLengthLimit = 128;
    public const int NoteLengthLimit = 1024;

    public static readonly ImmutableArray<string> Types = [Event.Normal, Event.Warning];

    public static ImmutableList<FieldError> Validate(Event e)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(e.Metadata, namespaced: true));
        var ns = e.Metadata.Namespace ?? "";
        var involvedNs = e.InvolvedObject.Namespace ?? "";
        if (e.EventTime is null)
        {
            // A cluster-scoped object's events live in "default" (or no namespace, for old clients).
            var matches = involvedNs.Length == 0 ? ns is "" or "default" : ns == involvedNs;
            if (!matches)
                errors.Add(FieldError.Invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
        }
        else
        {
            if (involvedNs.Length == 0 && ns is not ("default" or "kube-system"))
                errors.Add(FieldError.Invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
            if (string.IsNullOrEmpty(e.ReportingComponent))
                errors.Add(FieldError.Required("reportingComponent"));
            else
                errors.AddRange(SyntaxValidation.QualifiedName(e.ReportingComponent, "reportingComponent"));
            if (string.IsNullOrEmpty(e.ReportingInstance))
                errors.Add(FieldError.Required("reportingInstance"));
            if (e.ReportingInstance?.Length > ReportingInstanceLengthLimit)
                errors.Add(FieldError.Invalid("reportingInstance", "", $"can have at most {ReportingInstanceLengthLimit} characters"));
            if (string.IsNullOrEmpty(e.Action))
                errors.Add(FieldError.Required("action"));
            if (e.Action?.Length > ActionLengthLimit)
                errors.Add(FieldError.Invalid("action", "", $"can have at most {ActionLengthLimit} characters"));
            if (string.IsNullOrEmpty(e.Reason))
                errors.Add(FieldError.Required("reason"));
            if (e.Reason?.Length > ReasonLengthLimit)
                errors.Add(FieldError.Invalid("reason", "", $"can have at most {ReasonLengthLimit} characters"));
            if (e.Message?.Length > NoteLengthLimit)
                errors.Add(FieldError.Invalid("message", "", $"can have at most {NoteLengthLimit} characters"));
        }
        if (!string.IsNullOrEmpty(e.Type) && !Types.Contains(e.Type))
            errors.Add(FieldError.Invalid("type", "", $"has invalid value: {e.Type}"));
        if (e.Count < 0)
            errors.Add(FieldError.Invalid("count", null, ValidationMessages.NonNegative));
        if (e.Series is { Count: < 0 })
            errors.Add(FieldError.Invalid("series.count", null, ValidationMessages.NonNegative));
        return errors.ToImmutable();
    }
}
