using Granary.Errors;
using Granary.Grains.Storage;
using Orleans.Persistence.Redis;

namespace Granary.Tests.Unit.Storage;

/// <summary>Redis faults leave the silo as exceptions every client can read and retry.</summary>
public sealed class StoreFaultsTests
{
    [Fact]
    public void RedisGrainStorageFailure_IsARetriableServiceUnavailable()
    {
        // What Orleans' Redis grain storage throws when Redis fails under a write (a lease renewal, say); agents lack its
        // assembly, and reading it there once ended an agent.
        var retriable = Assert.IsType<ServiceUnavailableException>(StoreFaults.Retriable(new RedisStorageException("No connection is active/available")));
        Assert.Equal(1, retriable.RetryAfterSeconds);
        Assert.Equal("the cluster's store (Redis) failed to read or write an object; try again", retriable.Message);
    }

    [Fact]
    public void OtherFailures_AreNotStoreFaults() => Assert.Null(StoreFaults.Retriable(new InvalidOperationException("a bug")));
}
