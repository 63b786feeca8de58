using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Liveness, readiness and startup probes. Unset numbers are accepted: <see cref="PodDefaults"/> fills them.</summary>
public static class ProbeValidation
{
    public static readonly ImmutableArray<string> HttpSchemes = ["HTTP", "HTTPS"];

    /// <summary>Liveness and startup probes end or restart the container on one result, so one success must be enough.</summary>
    public static IEnumerable<FieldError> SingleSuccess(Probe? probe, string field)
    {
        if (probe is null)
            return [];
        var errors = Validate(probe, field);
        return probe.SuccessThreshold is { } threshold and not 1
            ? errors.Append(NumberValidation.Invalid($"{field}.successThreshold", threshold, "must be 1"))
            : errors;
    }

    public static IEnumerable<FieldError> Validate(Probe? probe, string field)
    {
        if (probe is null)
            yield break;

        // Kubernetes checks the handlers in this order and reports each one past the first on its own path.
        var handlers = 0;
        if (probe.Exec is { } exec)
        {
            handlers++;
            if (exec.Command is not { Count: > 0 })
                yield return FieldError.Required($"{field}.exec.command");
        }
        if (probe.HttpGet is { } http)
        {
            if (handlers++ > 0)
                yield return FieldError.Forbidden($"{field}.httpGet", ValidationMessages.MoreThanOneHandler);
            else
                foreach (var error in HttpGet(http, $"{field}.httpGet"))
                    yield return error;
        }
        if (probe.TcpSocket is { } tcp)
        {
            if (handlers++ > 0)
                yield return FieldError.Forbidden($"{field}.tcpSocket", ValidationMessages.MoreThanOneHandler);
            else
                foreach (var error in NumberValidation.PortNumberOrName(tcp.Port, $"{field}.tcpSocket.port"))
                    yield return error;
        }
        if (handlers == 0)
            yield return FieldError.Required(field) with { Detail = ValidationMessages.NoHandler };

        var numbers = new (int? Value, string Name)[]
        {
            (probe.InitialDelaySeconds, "initialDelaySeconds"), (probe.TimeoutSeconds, "timeoutSeconds"),
            (probe.PeriodSeconds, "periodSeconds"), (probe.SuccessThreshold, "successThreshold"),
            (probe.FailureThreshold, "failureThreshold"),
        };
        foreach (var (value, name) in numbers)
            foreach (var error in NumberValidation.NonNegative(value, $"{field}.{name}"))
                yield return error;
    }

    private static IEnumerable<FieldError> HttpGet(HttpGetAction http, string field)
    {
        foreach (var error in NumberValidation.PortNumberOrName(http.Port, $"{field}.port"))
            yield return error;
        if (!string.IsNullOrEmpty(http.Scheme) && !HttpSchemes.Contains(http.Scheme))
            yield return FieldError.Unsupported($"{field}.scheme", http.Scheme, HttpSchemes);
    }
}
