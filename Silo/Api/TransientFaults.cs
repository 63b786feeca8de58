using System.Net.Sockets;
using Orleans.Persistence.Redis;
using Orleans.Runtime.Messaging;
using Orleans.Serialization;
using StackExchange.Redis;

namespace Granary.Silo.Api;

/// <summary>What a passing fault is answered with: 503 ServiceUnavailable or 504 Timeout, and what failed, in words a user can act on.</summary>
internal sealed record TransientFault(int Code, string Reason, string What);

/// <summary>
/// Faults that pass by themselves: a silo that just died, the cluster refusing a call while it changes, Redis
/// unreachable or slow, a grain call that timed out. kube-apiserver answers such faults 503 ServiceUnavailable or 504
/// Timeout with Retry-After, and client-go (kubectl, KubernetesClient's retry handlers) waits and retries them. The
/// exceptions' own text is internal (hosts, grain ids, stack state), so the answer names only the kind of fault.
/// Anything not classified here is a bug and stays a 500.
/// </summary>
internal static class TransientFaults
{
    /// <summary>How long clients are told to wait: a silo's death is noticed and Redis reconnects in about that.</summary>
    public const int RetryAfterSeconds = 1;

    private const string Unavailable = "ServiceUnavailable";
    private const string Timeout = "Timeout";

    /// <summary>The fault <paramref name="e"/> (or one it wraps) is, or null when it is not a passing one.</summary>
    public static TransientFault? Classify(Exception e)
    {
        foreach (var x in Chain(e))
        {
            if (Of(x) is { } fault)
                return fault;
        }
        return null;
    }

    private static TransientFault? Of(Exception e) => e switch
    {
        // Redis first: RedisTimeoutException is also a TimeoutException, and names the better cause.
        RedisTimeoutException => new(504, Timeout, "the cluster's storage (Redis) did not answer in time"),
        RedisConnectionException => new(503, Unavailable, "the cluster's storage (Redis) is unreachable"),
        RedisServerException s when IsPassingRedisState(s.Message) => new(503, Unavailable, "the cluster's storage (Redis) is not ready to serve (loading, busy or failing over)"),
        // Orleans' Redis grain storage rewraps what Redis threw into its own exception, keeping only the text.
        RedisStorageException => new(503, Unavailable, "the cluster's storage (Redis) failed to read or write an object"),
        SiloUnavailableException => new(503, Unavailable, "the silo that holds the object has just become unavailable"),
        // What a grain made of a passing store fault (StoreFaults), when it arrives wrapped rather than on its own.
        // Its message is written for users (not internal text), so it is kept.
        Granary.Errors.ServiceUnavailableException { RetryAfterSeconds: > 0 } s => new(503, Unavailable, s.Message),
        // A Redis exception that left a grain unconverted has no codec: the caller sees only this, naming its type.
        CodecNotFoundException c when c.Message.Contains("StackExchange.Redis.", StringComparison.Ordinal)
            => new(503, Unavailable, "the cluster's storage (Redis) is unreachable"),
        OrleansMessageRejectionException => new(503, Unavailable, "the cluster refused an internal call while its membership changes"),
        // An exception type the caller could not deserialize arrives as this fallback, carrying the type's name.
        UnavailableExceptionFallbackException f => ByTypeName(f.ExceptionType),
        ConnectionFailedException => new(503, Unavailable, "a connection inside the cluster was reset"),
        SocketException => new(503, Unavailable, "a connection inside the cluster failed"),
        TimeoutException => new(504, Timeout, "a call inside the cluster did not complete in time"),
        // The client is still there (its own cancellation is answered before this): a call inside the silo gave up waiting.
        OperationCanceledException => new(504, Timeout, "a call inside the cluster was cancelled before it completed"),
        _ => ByTypeName(e.GetType().FullName),
    };

    /// <summary>Exceptions named, not typed: Orleans' connection failure is internal, and a fallback only has the name.</summary>
    private static TransientFault? ByTypeName(string? typeName) => typeName switch
    {
        "Orleans.Runtime.Messaging.ConnectionFailedException" or "Orleans.Networking.Shared.ConnectionAbortedException"
            or "Microsoft.AspNetCore.Connections.ConnectionAbortedException" or "Microsoft.AspNetCore.Connections.ConnectionResetException"
            => new(503, Unavailable, "a connection inside the cluster was reset"),
        "StackExchange.Redis.RedisConnectionException" => new(503, Unavailable, "the cluster's storage (Redis) is unreachable"),
        "StackExchange.Redis.RedisTimeoutException" => new(504, Timeout, "the cluster's storage (Redis) did not answer in time"),
        "Orleans.Runtime.SiloUnavailableException" => new(503, Unavailable, "the silo that holds the object has just become unavailable"),
        _ => null,
    };

    /// <summary>Redis' own error replies that mean "not now": loading a dataset, a busy script, a replica failing over.</summary>
    private static bool IsPassingRedisState(string message) =>
        message.StartsWith("LOADING", StringComparison.Ordinal) || message.StartsWith("BUSY", StringComparison.Ordinal)
        || message.StartsWith("MASTERDOWN", StringComparison.Ordinal) || message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
        || message.StartsWith("READONLY", StringComparison.Ordinal);

    /// <summary>The exception and those it wraps, depth first, every branch of an AggregateException included.</summary>
    private static IEnumerable<Exception> Chain(Exception e)
    {
        var pending = new Stack<Exception>();
        pending.Push(e);
        // A bound: wrapped exceptions never nest this deep, and a cycle must not loop for ever.
        for (var seen = 0; pending.Count > 0 && seen < 64; seen++)
        {
            var x = pending.Pop();
            yield return x;
            if (x is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.Reverse())
                    pending.Push(inner);
            }
            else if (x.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }
}
