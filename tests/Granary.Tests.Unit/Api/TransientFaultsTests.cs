using System.Net.Sockets;
using Granary.Silo.Api;
using Orleans.Persistence.Redis;
using Orleans.Runtime.Messaging;
using StackExchange.Redis;

namespace Granary.Tests.Unit.Api;

/// <summary>
/// Faults that pass become 503 ServiceUnavailable or 504 Timeout with Retry-After, worded as kube-apiserver words
/// them and without the exception's own text; everything else stays unclassified (a 500, a bug).
/// </summary>
public class TransientFaultsTests
{
    private const string Secret = "redis-7.internal:6379 grain=pod/default/web-1 SECRET-TEXT";

    public static TheoryData<Exception, int, string> Passing => new()
    {
        { new SiloUnavailableException(Secret), 503, "ServiceUnavailable" },
        { new ConnectionFailedException(Secret), 503, "ServiceUnavailable" },
        { new RedisConnectionException(ConnectionFailureType.UnableToConnect, Secret), 503, "ServiceUnavailable" },
        { new RedisTimeoutException(Secret, CommandStatus.Sent), 504, "Timeout" },
        { new RedisServerException("LOADING Redis is loading the dataset in memory"), 503, "ServiceUnavailable" },
        { new RedisStorageException(Secret), 503, "ServiceUnavailable" },
        { new SocketException((int)SocketError.ConnectionReset), 503, "ServiceUnavailable" },
        { new TimeoutException(Secret), 504, "Timeout" },
        // Wrapped, as grain calls and storage providers wrap them.
        { new InvalidOperationException("outer", new RedisConnectionException(ConnectionFailureType.SocketFailure, Secret)), 503, "ServiceUnavailable" },
        { new AggregateException(new ArgumentException("first"), new TimeoutException(Secret)), 504, "Timeout" },
        { new IOException("reset", new SocketException((int)SocketError.ConnectionReset)), 503, "ServiceUnavailable" },
        // A grain's own conversion of a store fault, wrapped by an activation failure; a Redis exception that crossed
        // a silo boundary unconverted (only its codec's absence arrives); a call a silo gave up on.
        { new InvalidOperationException("activation failed", new Granary.Errors.ServiceUnavailableException(Secret, retryAfterSeconds: 1)), 503, "ServiceUnavailable" },
        { new Orleans.Serialization.CodecNotFoundException("Could not find a codec for type StackExchange.Redis.RedisConnectionException."), 503, "ServiceUnavailable" },
        { new OperationCanceledException(Secret), 504, "Timeout" },
    };

    [Theory]
    [MemberData(nameof(Passing))]
    public void Classify_PassingFault_IsServiceUnavailableOrTimeout(Exception e, int code, string reason)
    {
        var fault = TransientFaults.Classify(e);

        Assert.NotNull(fault);
        Assert.Equal((code, reason), (fault.Code, fault.Reason));
    }

    [Fact]
    public void Classify_Bug_IsNotTransient()
    {
        Assert.Null(TransientFaults.Classify(new NullReferenceException()));
        Assert.Null(TransientFaults.Classify(new InvalidOperationException("state")));
        Assert.Null(TransientFaults.Classify(new RedisServerException("ERR wrong number of arguments")));
        // A missing codec for one of our own types is a bug, not Redis away.
        Assert.Null(TransientFaults.Classify(new Orleans.Serialization.CodecNotFoundException("Could not find a codec for type Granary.Model.Pod.")));
    }

    [Fact]
    public void Transient_ServiceUnavailable_KubeWordingRetryAfterAndNoInternalText()
    {
        var fault = TransientFaults.Classify(new RedisConnectionException(ConnectionFailureType.UnableToConnect, Secret))!;

        var status = ApiStatus.Transient(fault, "0HN:00000001");

        Assert.Equal(503, (int)status["code"]!);
        Assert.Equal("ServiceUnavailable", (string?)status["reason"]);
        var message = (string)status["message"]!;
        Assert.StartsWith("the server is currently unable to handle the request: the cluster's storage (Redis) is unreachable", message, StringComparison.Ordinal);
        Assert.Contains("correlation id 0HN:00000001", message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", status.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(TransientFaults.RetryAfterSeconds, (int)status["details"]!["retryAfterSeconds"]!);
    }

    [Fact]
    public void Transient_Timeout_IsKubesTimeoutStatus()
    {
        var status = ApiStatus.Transient(TransientFaults.Classify(new TimeoutException(Secret))!, "c1");

        Assert.Equal((504, "Timeout"), ((int)status["code"]!, (string?)status["reason"]));
        Assert.StartsWith("Timeout: ", (string)status["message"]!, StringComparison.Ordinal);
        Assert.Equal(1, (int)status["details"]!["retryAfterSeconds"]!);
    }
}
