using Granary.NodeAgent.Pods;

namespace Granary.Tests.Unit.NodeAgent.Pods;

public class RestartBackoffTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string Key = RestartBackoff.Key("uid-1", "web");

    /// <summary>Fails <paramref name="failures"/> times, each run lasting 1 s and each restart as soon as allowed.</summary>
    private static (RestartBackoff Backoff, DateTimeOffset LastFailure) CrashLoop(int failures)
    {
        var backoff = new RestartBackoff();
        var now = T0;
        for (var i = 0; i < failures; i++)
        {
            now += backoff.RemainingDelay(Key, now) ?? TimeSpan.Zero;
            var started = now;
            now += TimeSpan.FromSeconds(1);
            backoff.RecordFailure(Key, now, started);
        }
        return (backoff, now);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(4, 40)]
    [InlineData(5, 80)]
    [InlineData(6, 160)]
    [InlineData(7, 300)]
    [InlineData(8, 300)]
    public void RecordFailure_CrashLoop_WaitsLikeTheKubelet(int failures, int seconds)
    {
        var (backoff, failedAt) = CrashLoop(failures);

        Assert.Equal(TimeSpan.FromSeconds(seconds), backoff.CurrentDelay(Key));
        Assert.Equal(seconds == 0 ? null : TimeSpan.FromSeconds(seconds), backoff.RemainingDelay(Key, failedAt));
        Assert.Null(backoff.RemainingDelay(Key, failedAt + TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void RemainingDelay_AsTimePasses_CountsDownFromTheFailure()
    {
        var (backoff, failedAt) = CrashLoop(3);

        Assert.Equal(TimeSpan.FromSeconds(15), backoff.RemainingDelay(Key, failedAt + TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromMilliseconds(1), backoff.RemainingDelay(Key, failedAt + TimeSpan.FromSeconds(20) - TimeSpan.FromMilliseconds(1)));
        Assert.Null(backoff.RemainingDelay(Key, failedAt + TimeSpan.FromMinutes(1)));
    }

    [Theory]
    // ran for (s) | back-off after the next failure (s)
    [InlineData(1, 80)]
    [InlineData(599, 80)]
    [InlineData(600, 80)]
    [InlineData(601, 0)]
    [InlineData(3600, 0)]
    public void RecordFailure_AfterALongRun_StartsAfresh(int ranSeconds, int expected)
    {
        var (backoff, failedAt) = CrashLoop(4);
        var restarted = failedAt + backoff.CurrentDelay(Key);

        backoff.RecordFailure(Key, restarted + TimeSpan.FromSeconds(ranSeconds), restarted);

        Assert.Equal(TimeSpan.FromSeconds(expected), backoff.CurrentDelay(Key));
    }

    [Fact]
    public void RecordFailure_AfterReset_CountsUpFromTenSecondsAgain()
    {
        var backoff = new RestartBackoff();
        backoff.RecordFailure(Key, T0 + TimeSpan.FromMinutes(20), T0);
        var second = T0 + TimeSpan.FromMinutes(21);

        backoff.RecordFailure(Key, second, T0 + TimeSpan.FromMinutes(20));

        Assert.Equal(TimeSpan.FromSeconds(10), backoff.CurrentDelay(Key));
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.RemainingDelay(Key, second));
    }

    [Fact]
    public void RecordFailure_WithoutStartTime_MeasuresTheRunFromTheEndOfTheLastBackOff()
    {
        var (backoff, failedAt) = CrashLoop(3);
        var restarted = failedAt + TimeSpan.FromSeconds(20);

        backoff.RecordFailure(Key, restarted + TimeSpan.FromMinutes(9), startedAt: null);
        Assert.Equal(TimeSpan.FromSeconds(40), backoff.CurrentDelay(Key));

        backoff.RecordFailure(Key, restarted + TimeSpan.FromMinutes(30), startedAt: null);
        Assert.Equal(TimeSpan.Zero, backoff.CurrentDelay(Key));
    }

    [Fact]
    public void RecordFailure_SameOrOlderFailureAgain_ChangesNothing()
    {
        var (backoff, failedAt) = CrashLoop(3);

        backoff.RecordFailure(Key, failedAt, failedAt - TimeSpan.FromSeconds(1));
        backoff.RecordFailure(Key, failedAt - TimeSpan.FromSeconds(30), null);

        Assert.Equal(TimeSpan.FromSeconds(20), backoff.CurrentDelay(Key));
        Assert.Equal(TimeSpan.FromSeconds(20), backoff.RemainingDelay(Key, failedAt));
    }

    [Fact]
    public void RemainingDelay_UnknownKey_MayRestartNow()
    {
        var backoff = new RestartBackoff();

        Assert.Null(backoff.RemainingDelay(Key, T0));
        Assert.Equal(TimeSpan.Zero, backoff.CurrentDelay(Key));
    }

    [Fact]
    public void Forget_PodUid_DropsEveryKeyOfThatPodOnly()
    {
        var backoff = new RestartBackoff();
        string[] keys = [RestartBackoff.Key("uid-1", "web"), RestartBackoff.Key("uid-1", "sidecar"), RestartBackoff.Key("uid-10", "web"), "uid-1"];
        foreach (var key in keys)
        {
            backoff.RecordFailure(key, T0);
            backoff.RecordFailure(key, T0 + TimeSpan.FromSeconds(1), T0);
        }

        backoff.Forget("uid-1");

        Assert.Equal([0, 0, 10, 0], keys.Select(k => backoff.CurrentDelay(k).TotalSeconds));
    }

    [Fact]
    public void Forget_Key_DropsThatKeyOnly()
    {
        var backoff = new RestartBackoff();
        var other = RestartBackoff.Key("uid-1", "sidecar");
        foreach (var key in new[] { Key, other })
        {
            backoff.RecordFailure(key, T0);
            backoff.RecordFailure(key, T0 + TimeSpan.FromSeconds(1), T0);
        }

        backoff.Forget(Key);

        Assert.Null(backoff.RemainingDelay(Key, T0 + TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(10), backoff.CurrentDelay(other));
    }

    [Theory]
    [InlineData(10, "10s")]
    [InlineData(40, "40s")]
    [InlineData(80, "1m20s")]
    [InlineData(160, "2m40s")]
    [InlineData(300, "5m0s")]
    [InlineData(3600, "1h0m0s")]
    public void Message_ForDelay_ReadsLikeKubectl(int seconds, string delay)
    {
        var message = RestartBackoff.Message(TimeSpan.FromSeconds(seconds), "web", "web-0", "shop", "0b6f5a7e-uid");

        Assert.Equal($"back-off {delay} restarting failed container=web pod=web-0_shop(0b6f5a7e-uid)", message);
    }

    [Fact]
    public void Key_IsPodUidSlashContainer()
    {
        Assert.Equal("0b6f5a7e/web", RestartBackoff.Key("0b6f5a7e", "web"));
        Assert.Equal("CrashLoopBackOff", RestartBackoff.Reason);
    }
}
