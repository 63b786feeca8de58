using Granary.NodeAgent.Systemd;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.NodeAgent.Systemd;

public class AgentHealthTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void IsHealthy_NoLoops_Healthy()
    {
        Assert.True(new AgentHealth(_time).IsHealthy);
    }

    [Fact]
    public void IsHealthy_EveryLoopWithinItsAllowance_Healthy()
    {
        var health = new AgentHealth(_time);
        health.Register("pod-sync", TimeSpan.FromSeconds(60));
        health.Register("lease", TimeSpan.FromSeconds(30));

        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(health.IsHealthy);
        Assert.Empty(health.Stale());
    }

    [Fact]
    public void Stale_LoopQuietTooLong_NamedWithItsAge()
    {
        var health = new AgentHealth(_time);
        health.Register("pod-sync", TimeSpan.FromSeconds(60));
        health.Register("lease", TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(20));
        health.Beat("pod-sync");

        _time.Advance(TimeSpan.FromSeconds(11));

        Assert.False(health.IsHealthy);
        Assert.Equal([new StaleLoop("lease", TimeSpan.FromSeconds(31), TimeSpan.FromSeconds(30))], health.Stale());
    }

    [Fact]
    public void Beat_StaleLoop_HealthyAgain()
    {
        var health = new AgentHealth(_time);
        health.Register("lease", TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(health.IsHealthy);

        health.Beat("lease");

        Assert.True(health.IsHealthy);
    }

    [Fact]
    public void Stale_ExactlyAtTheAllowance_StillHealthy()
    {
        var health = new AgentHealth(_time);
        health.Register("lease", TimeSpan.FromSeconds(30));

        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(health.IsHealthy);
    }

    [Fact]
    public void Register_Again_ChangesTheAllowance()
    {
        var health = new AgentHealth(_time);
        health.Register("lease", TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(20));

        health.Register("lease", TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal("lease", Assert.Single(health.Stale()).Name);
    }

    [Fact]
    public void Beat_UnregisteredLoop_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new AgentHealth(_time).Beat("pod-sync"));

        Assert.Equal("loop 'pod-sync' beat without being registered: call AgentHealth.Register first", e.Message);
    }

    [Fact]
    public void Register_NoAllowance_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AgentHealth(_time).Register("x", TimeSpan.Zero));
    }
}
