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

    [LoggerMessage(Level = LogLevel.Error, Message = "API request {Method} {Path} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception e, string method, string path);
}
