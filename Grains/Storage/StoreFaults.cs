using Granary.Errors;
using StackExchange.Redis;

namespace Granary.Grains.Storage;

/// <summary>
/// Redis faults that pass by themselves (Redis restarting, loading its AOF, failing over, slow), turned into what
/// crosses a grain call and the API: StackExchange.Redis' own exceptions have no Orleans codec, so they would
/// arrive as a codec error (a 500) instead of a fault the client can retry.
/// </summary>
public static class StoreFaults
{
    /// <summary>The retriable exception to throw instead of <paramref name="e"/>, or null when it is not a passing fault.</summary>
    public static Exception? Retriable(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (RetriableOne(inner) is { } retriable)
                return retriable;
        }
        return null;
    }

    private const string StorePrefix = "the cluster's store (Redis) ";

    /// <summary>Redis reconnects or fails over in about this long.</summary>
    private const int RetryAfterSeconds = 1;

    private static Exception? RetriableOne(Exception e) => e switch
    {
        RedisTimeoutException => new TimeoutException(StorePrefix + "did not answer in time; try again"),
        RedisConnectionException => new ServiceUnavailableException(StorePrefix + "is unreachable (restarting or failing over); try again", RetryAfterSeconds),
        RedisServerException r when r.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || r.Message.StartsWith("READONLY", StringComparison.Ordinal) || r.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            => new ServiceUnavailableException(StorePrefix + "is starting or failing over; try again", RetryAfterSeconds),
        // Orleans' Redis grain storage rewraps what Redis threw, keeping only the text. Its type lives in an assembly that
        // clients (agents, the SDK) do not have: sent as it is, it cannot even be read there. Named, as the grains do
        // not reference that package.
        _ when e.GetType().FullName == RedisGrainStorageException
            => new ServiceUnavailableException(StorePrefix + "failed to read or write an object; try again", RetryAfterSeconds),
        _ => null,
    };

    private const string RedisGrainStorageException = "Orleans.Persistence.Redis.RedisStorageException";
}

/// <summary>
/// Every grain call on the silo: a passing Redis fault leaves the grain as a retriable exception (see
/// <see cref="StoreFaults"/>), whichever grain met it, through the object store or Orleans' own Redis storage.
/// </summary>
public sealed class StoreFaultFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (StoreFaults.Retriable(e) is { } retriable)
        {
            throw retriable;
        }
    }
}
