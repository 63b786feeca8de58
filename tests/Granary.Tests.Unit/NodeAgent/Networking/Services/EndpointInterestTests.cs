using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.NodeAgent.Networking.Services;

public sealed class EndpointInterestTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly EndpointInterest _interest;
    private static readonly ServiceKey Web = new("shop", "web");
    private static readonly ServiceKey Db = new("shop", "db");

    public EndpointInterestTests() => _interest = new EndpointInterest(_time, TimeSpan.FromMinutes(10));

    public void Dispose() => _interest.Dispose();

    [Fact]
    public void The_first_use_adds_a_service_and_signals_the_change_later_uses_do_not()
    {
        var before = _interest.ChangedToken;

        Assert.True(_interest.Touch(Web));
        Assert.True(before.IsCancellationRequested);

        var after = _interest.ChangedToken;
        Assert.False(_interest.Touch(Web));
        Assert.False(after.IsCancellationRequested);
        Assert.Equal([Web], _interest.Followed.ToArray());
    }

    [Fact]
    public void A_service_unused_for_the_idle_time_is_let_go_and_one_in_use_is_kept()
    {
        _interest.Touch(Web);
        _interest.Touch(Db);
        _time.Advance(TimeSpan.FromMinutes(6));
        _interest.Touch(Web);
        _time.Advance(TimeSpan.FromMinutes(5));
        var before = _interest.ChangedToken;

        Assert.Equal([Db], _interest.Sweep().ToArray());
        Assert.True(before.IsCancellationRequested);
        Assert.True(_interest.IsFollowed(Web));
        Assert.False(_interest.IsFollowed(Db));
        Assert.Empty(_interest.Sweep());
    }

    [Fact]
    public async Task WaitForChange_returns_when_a_service_is_added()
    {
        var waiting = _interest.WaitForChangeAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        _interest.Touch(Web);

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
