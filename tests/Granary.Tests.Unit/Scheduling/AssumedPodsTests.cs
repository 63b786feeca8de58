using Granary.Errors;
using Granary.Grains.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.Scheduling;

public class AssumedPodsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task BindAsync_NoAnswerBeforeTheDeadline_ForgetsTheAssumptionAtOnce()
    {
        var time = new FakeTimeProvider();
        var assumed = new AssumedPods(time, Timeout);
        assumed.Assume("default/p", "n1");
        var never = new TaskCompletionSource();

        var binding = assumed.BindAsync("default/p", () => never.Task);
        Assert.False(binding.IsCompleted);
        Assert.True(assumed.TryGetNode("default/p", out _));
        time.Advance(Timeout);
        var outcome = await binding;

        Assert.Equal(BindOutcome.TimedOut, outcome);
        Assert.False(assumed.TryGetNode("default/p", out _));
        Assert.Equal(0, assumed.Count);
    }

    [Fact]
    public async Task BindAsync_Refused_ForgetsTheAssumption()
    {
        var assumed = new AssumedPods(new FakeTimeProvider(), Timeout);
        assumed.Assume("default/p", "n1");

        var refusal = new ConflictException("pods", "p", "the pod is already bound to n2");

        var outcome = await assumed.BindAsync("default/p", () => Task.FromException(refusal));

        Assert.Equal(BindOutcome.Failed(refusal.Message), outcome);
        Assert.False(assumed.TryGetNode("default/p", out _));
    }

    [Fact]
    public async Task BindAsync_UnexpectedFailure_ForgetsTheAssumptionAndRethrows()
    {
        var assumed = new AssumedPods(new FakeTimeProvider(), Timeout);
        assumed.Assume("default/p", "n1");

        await Assert.ThrowsAsync<InvalidOperationException>(() => assumed.BindAsync("default/p", () => Task.FromException(new InvalidOperationException("bug"))));

        Assert.False(assumed.TryGetNode("default/p", out _));
    }

    [Fact]
    public async Task BindAsync_Bound_KeepsTheAssumptionUntilTheCacheShowsIt()
    {
        var assumed = new AssumedPods(new FakeTimeProvider(), Timeout);
        assumed.Assume("default/p", "n1");

        var outcome = await assumed.BindAsync("default/p", () => Task.CompletedTask);

        Assert.Equal(BindOutcome.Bound, outcome);
        Assert.True(assumed.TryGetNode("default/p", out var node));
        Assert.Equal("n1", node);
        assumed.Confirm("default/p");
        Assert.Equal(0, assumed.Count);
    }

    [Fact]
    public void RetainOnly_ForgetsPodsNoLongerCached()
    {
        var assumed = new AssumedPods(new FakeTimeProvider(), Timeout);
        assumed.Assume("default/a", "n1");
        assumed.Assume("default/b", "n1");

        assumed.RetainOnly(new HashSet<string> { "default/b" });

        Assert.False(assumed.TryGetNode("default/a", out _));
        Assert.True(assumed.TryGetNode("default/b", out _));
    }
}
