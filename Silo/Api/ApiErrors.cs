using Granary.Errors;

namespace Granary.Silo.Api;

/// <summary>
/// Turns every exception of an API request into a Status response. Once a response has started (a watch
/// streaming), the handler reports errors in-band as ERROR events instead.
/// </summary>
internal static partial class ApiErrors
{
    public static async Task HandleAsync(HttpContext context, Func<Task> next, ILogger logger)
    {
        try
        {
            await next();
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested && TransientFault(e) is { } fault)
        {
            // Redis restarting or failing over, a call that timed out: the client retries after Retry-After, and the
            // internal text stays in the log.
            LogTransient(logger, context.Request.Method, context.Request.Path, e.GetType().Name, e.Message);
            await ApiStatus.WriteAsync(context, fault);
        }
        catch (GranaryException e) when (!context.Response.HasStarted)
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
        catch (Exception e) when (!context.Response.HasStarted)
        {
            LogUnexpected(logger, e, context.Request.Method, context.Request.Path);
            await ApiStatus.WriteAsync(context, ApiStatus.Internal(e.Message));
        }
    }

    /// <summary>A 503 or 504 Status with retryAfterSeconds for a fault that passes by itself; null for anything else.</summary>
    internal static System.Text.Json.Nodes.JsonObject? TransientFault(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case ServiceUnavailableException unavailable:
                    return ApiStatus.Failure(503, "ServiceUnavailable", unavailable.Message, new System.Text.Json.Nodes.JsonObject { ["retryAfterSeconds"] = 1 });
                // A cancellation the client did not ask for: a call inside the silo gave up waiting (the store was away).
                case StackExchange.Redis.RedisTimeoutException or TimeoutException or OperationCanceledException:
                    return ApiStatus.Failure(504, "Timeout", "the request timed out while the cluster's store or a silo was slow to answer; try again",
                        new System.Text.Json.Nodes.JsonObject { ["retryAfterSeconds"] = 1 });
                case StackExchange.Redis.RedisConnectionException or Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException:
                case StackExchange.Redis.RedisServerException r when r.Message.StartsWith("LOADING", StringComparison.Ordinal)
                    || r.Message.StartsWith("READONLY", StringComparison.Ordinal) || r.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal):
                    return ApiStatus.Failure(503, "ServiceUnavailable", "the cluster's store (Redis) is briefly unavailable (restarting or failing over); try again",
                        new System.Text.Json.Nodes.JsonObject { ["retryAfterSeconds"] = 1 });
            }
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "API request {Method} {Path} met a transient fault ({Type}: {Reason}); answered 503/504 with Retry-After")]
    private static partial void LogTransient(ILogger logger, string method, string path, string type, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "API request {Method} {Path} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception e, string method, string path);
}
