using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Liveness, readiness and startup probes, and lifecycle hooks. Unset numbers are accepted: <see cref="PodDefaults"/>
/// fills them.
/// </summary>
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

    /// <summary>A readiness probe never kills the container, so it has no grace period of its own.</summary>
    public static IEnumerable<FieldError> Readiness(Probe? probe, string field)
    {
        if (probe is null)
            return [];
        var errors = Validate(probe, field);
        return probe.TerminationGracePeriodSeconds is { } grace
            ? errors.Append(NumberValidation.Invalid($"{field}.terminationGracePeriodSeconds", grace, "must not be set for readinessProbes"))
            : errors;
    }

    /// <summary>postStart and preStop: each one handler (exec, httpGet, tcpSocket or sleep).</summary>
    public static IEnumerable<FieldError> Lifecycle(Lifecycle? lifecycle, long gracePeriod, string field)
    {
        if (lifecycle is null)
            return [];
        return Handler(lifecycle.PostStart, gracePeriod, $"{field}.postStart").Concat(Handler(lifecycle.PreStop, gracePeriod, $"{field}.preStop"));
    }

    private static IEnumerable<FieldError> Handler(LifecycleHandler? handler, long gracePeriod, string field)
    {
        if (handler is null)
            yield break;
        var errors = Handlers(field, handler.Exec, handler.HttpGet, handler.TcpSocket, grpc: null, out var count);
        if (handler.Sleep is { } sleep)
        {
            if (count++ > 0)
                errors.Add(FieldError.Forbidden($"{field}.sleep", ValidationMessages.MoreThanOneHandler));
            else if (sleep.Seconds <= 0 || sleep.Seconds > gracePeriod)
                errors.Add(NumberValidation.Invalid($"{field}.sleep", sleep.Seconds,
                    $"must be greater than 0 and less than terminationGracePeriodSeconds ({gracePeriod})"));
        }
        if (count == 0)
            errors.Add(FieldError.Required(field) with { Detail = ValidationMessages.NoHandler });
        foreach (var error in errors)
            yield return error;
    }

    public static IEnumerable<FieldError> Validate(Probe? probe, string field)
    {
        if (probe is null)
            yield break;

        var handlerErrors = Handlers(field, probe.Exec, probe.HttpGet, probe.TcpSocket, probe.Grpc, out var handlers);
        foreach (var error in handlerErrors)
            yield return error;
        if (handlers == 0)
            yield return FieldError.Required(field) with { Detail = ValidationMessages.NoHandler };
        if (probe.TerminationGracePeriodSeconds is { } grace and <= 0)
            yield return NumberValidation.Invalid($"{field}.terminationGracePeriodSeconds", grace, "must be greater than 0");

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

    // Kubernetes checks the handlers in this order and reports each one past the first on its own path.
    private static List<FieldError> Handlers(string field, ExecAction? exec, HttpGetAction? http, TcpSocketAction? tcp, GrpcAction? grpc, out int count)
    {
        var errors = new List<FieldError>();
        count = 0;
        if (exec is not null)
        {
            count++;
            if (exec.Command is not { Count: > 0 })
                errors.Add(FieldError.Required($"{field}.exec.command"));
        }
        if (http is not null)
        {
            if (count++ > 0)
                errors.Add(FieldError.Forbidden($"{field}.httpGet", ValidationMessages.MoreThanOneHandler));
            else
                errors.AddRange(HttpGet(http, $"{field}.httpGet"));
        }
        if (tcp is not null)
        {
            if (count++ > 0)
                errors.Add(FieldError.Forbidden($"{field}.tcpSocket", ValidationMessages.MoreThanOneHandler));
            else
                errors.AddRange(NumberValidation.PortNumberOrName(tcp.Port, $"{field}.tcpSocket.port"));
        }
        if (grpc is not null)
        {
            if (count++ > 0)
                errors.Add(FieldError.Forbidden($"{field}.grpc", ValidationMessages.MoreThanOneHandler));
            else
                errors.AddRange(NumberValidation.PortNumber(grpc.Port, $"{field}.grpc.port"));
        }
        return errors;
    }

    private static IEnumerable<FieldError> HttpGet(HttpGetAction http, string field)
    {
        foreach (var error in NumberValidation.PortNumberOrName(http.Port, $"{field}.port"))
            yield return error;
        if (!string.IsNullOrEmpty(http.Scheme) && !HttpSchemes.Contains(http.Scheme))
            yield return FieldError.Unsupported($"{field}.scheme", http.Scheme, HttpSchemes);
        foreach (var header in http.HttpHeaders ?? [])
            if (header.Name.Length == 0 || !header.Name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                yield return FieldError.Invalid($"{field}.httpHeaders", header.Name, HttpHeaderNameRule);
    }

    public const string HttpHeaderNameRule =
        "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name',  regex used for validation is '[-A-Za-z0-9]+')";
}
