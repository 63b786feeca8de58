using Granary.Errors;
using Granary.Silo.Api.Limits;

namespace Granary.Silo.Api;

/// <summary>
/// Turns every exception of an API request into a Status response. Once a response has started (a watch
/// streaming), the handler reports errors in-band as ERROR events instead. Passing faults (<see cref="TransientFaults"/>)
/// are 503 or 504 with Retry-After; anything else unexpected is a 500. Neither carries the exception's own text,
/// which is internal: it goes to the log under the request's correlation id, which the Status names.
/// </summary>
internal static partial class ApiErrors
{
    public static async Task HandleAsync(HttpContext context, Func<Task> next, ILogger logger)
    {
        try
        {
            await next();
        }
        // A grain's 503 that names when to retry is a passing fault like the others below: kube's wording, Retry-After
        // and a correlation id.
        catch (GranaryException e) when (!context.Response.HasStarted && e is not ServiceUnavailableException { RetryAfterSeconds: > 0 })
        {
            await ApiStatus.WriteAsync(context, ApiStatus.From(e));
        }
        catch (PatchFailedException e) when (!context.Response.HasStarted)
        {
            await ApiStatus.WriteAsync(context, ApiStatus.Failure(422, "Invalid", e.Message));
        }
        catch (ApplyConflictException e) when (!context.Response.HasStarted)
        {
            await ApiStatus.WriteAsync(context, ApiStatus.ApplyConflict(e));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer.
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Kestrel's refusals while the body is read: too large, too slow, malformed chunks.
            await ApiStatus.WriteAsync(context, RequestLimits.FromBadRequest(context, e));
        }
        catch (RequestTooLargeException e) when (!context.Response.HasStarted)
        {
            await ApiStatus.WriteAsync(context, ApiStatus.RequestEntityTooLarge(e.Message));
        }
        catch (Exception e) when (!context.Response.HasStarted && TransientFaults.Classify(e) is { } fault)
        {
            var correlation = context.TraceIdentifier;
            LogTransient(logger, e, context.Request.Method, context.Request.Path, fault.What, correlation);
            await ApiStatus.WriteAsync(context, ApiStatus.Transient(fault, correlation));
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            var correlation = context.TraceIdentifier;
            LogUnexpected(logger, e, context.Request.Method, context.Request.Path, correlation);
            await ApiStatus.WriteAsync(context, ApiStatus.Internal(
                $"Internal error occurred: an unexpected {e.GetType().Name} while serving {context.Request.Method} {context.Request.Path}; the silo's log has the details under correlation id {correlation}"));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "API request {Method} {Path} failed unexpectedly (correlation id {Correlation})")]
    private static partial void LogUnexpected(ILogger logger, Exception e, string method, string path, string correlation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API request {Method} {Path} answered as a passing fault: {What} (correlation id {Correlation})")]
    private static partial void LogTransient(ILogger logger, Exception e, string method, string path, string what, string correlation);
}
