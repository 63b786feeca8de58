using Granary.Silo.Api.Limits;

namespace Granary.Tests.Unit.Api.Limits;

/// <summary>The in-flight caps: per user, global read and mutating pools, and the masters' own pool.</summary>
public class InFlightLimiterTests
{
    private static InFlightLimiter Limiter(int perUser = 2, int reading = 10, int mutating = 10, int masters = 3) => new(new ApiLimitOptions
    {
        MaxRequestsInflightPerUser = perUser,
        MaxRequestsInflight = reading,
        MaxMutatingRequestsInflight = mutating,
        MaxMastersRequestsInflight = masters,
    });

    [Fact]
    public void TryEnter_UserAtItsCap_IsRefusedWhileOthersAreServed()
    {
        var limiter = Limiter(perUser: 2);
        using var first = limiter.TryEnter("alice", false, false, out _);
        using var second = limiter.TryEnter("alice", false, true, out _);

        using var third = limiter.TryEnter("alice", false, false, out var refusal);
        using var bob = limiter.TryEnter("bob", false, false, out _);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(third);
        Assert.Contains("user \"alice\" already has 2 requests in flight", refusal, StringComparison.Ordinal);
        Assert.NotNull(bob);
    }

    [Fact]
    public void Dispose_GivesTheSlotBackOnce()
    {
        var limiter = Limiter(perUser: 1);
        var slot = limiter.TryEnter("alice", false, false, out _)!;
        slot.Dispose();
        slot.Dispose();

        using var again = limiter.TryEnter("alice", false, false, out _);

        Assert.NotNull(again);
        Assert.Equal((1, 0, 0, 1), limiter.InFlight());
    }

    [Fact]
    public void TryEnter_GlobalMutatingCap_RefusesWritesButNotReads()
    {
        var limiter = Limiter(perUser: 0, mutating: 1);
        using var write = limiter.TryEnter("a", false, true, out _);

        using var secondWrite = limiter.TryEnter("b", false, true, out var refusal);
        using var read = limiter.TryEnter("b", false, false, out _);

        Assert.Null(secondWrite);
        Assert.Contains("--max-mutating-requests-inflight", refusal, StringComparison.Ordinal);
        Assert.NotNull(read);
    }

    [Fact]
    public void TryEnter_Masters_HaveTheirOwnPoolWhenEveryoneElsesIsFull()
    {
        var limiter = Limiter(perUser: 0, reading: 1, masters: 1);
        using var flood = limiter.TryEnter("flooder", false, false, out _);
        using var refused = limiter.TryEnter("other", false, false, out _);

        using var admin = limiter.TryEnter("admin", true, false, out _);
        using var secondAdmin = limiter.TryEnter("admin", true, false, out var refusal);

        Assert.Null(refused);
        Assert.NotNull(admin);
        Assert.Null(secondAdmin);
        Assert.Contains("--max-masters-requests-inflight", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void TryEnter_ZeroLimits_NeverRefuse()
    {
        var limiter = Limiter(perUser: 0, reading: 0, mutating: 0, masters: 0);
        var slots = Enumerable.Range(0, 1000).Select(i => limiter.TryEnter("u", i % 7 == 0, i % 2 == 0, out _)).ToList();

        Assert.All(slots, Assert.NotNull);
        slots.ForEach(s => s!.Dispose());
        Assert.Equal((0, 0, 0, 0), limiter.InFlight());
    }
}
