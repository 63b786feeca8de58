using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Docker;

namespace Granary.Tests.Unit.NodeAgent.Runtime;

/// <summary>When the docker driver may answer a list from an earlier inspect, and when it must ask the engine again.</summary>
public sealed class InspectCacheTests
{
    private static readonly Dictionary<string, string> Node = new() { ["io.granary.node"] = "n1" };

    private static ContainerInfo Info(string id, ContainerRunState state, IReadOnlyDictionary<string, string>? labels = null) =>
        new() { Id = id, Name = id, Image = "busybox", State = state, Labels = labels ?? Node };

    [Fact]
    public void Get_ServesAnInspect_OnlyWhileTheListShowsTheSameState()
    {
        var cache = new InspectCache();
        cache.Keep("a", "running", Info("a", ContainerRunState.Running), cache.Now());

        Assert.Equal(ContainerRunState.Running, cache.Get("a", "running")?.State);
        Assert.Null(cache.Get("a", "exited"));
        Assert.Null(cache.Get("a", null));
        Assert.Null(cache.Get("b", "running"));
    }

    [Fact]
    public void Changed_DropsTheEntry_AndAnInspectBegunBeforeTheChangeIsNotKept()
    {
        var cache = new InspectCache();
        cache.Keep("a", "running", Info("a", ContainerRunState.Running), cache.Now());
        var begunAt = cache.Now();

        cache.Changed("a");
        cache.Keep("a", "running", Info("a", ContainerRunState.Running), begunAt);
        Assert.Null(cache.Get("a", "running"));

        cache.Keep("a", "exited", Info("a", ContainerRunState.Exited), cache.Now());
        Assert.Equal(ContainerRunState.Exited, cache.Get("a", "exited")?.State);
    }

    [Fact]
    public void Clear_AfterTheStreamBroke_DropsEverything_AndInspectsInFlightAreNotKept()
    {
        var cache = new InspectCache();
        cache.Keep("a", "running", Info("a", ContainerRunState.Running), cache.Now());
        var begunAt = cache.Now();
        cache.Changed("b");

        cache.Clear();
        cache.Keep("b", "running", Info("b", ContainerRunState.Running), begunAt);

        Assert.Null(cache.Get("a", "running"));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Retain_ForgetsWhatAListWithTheSameLabelsNoLongerShows_AndLeavesOtherContainersAlone()
    {
        var cache = new InspectCache();
        var other = new Dictionary<string, string> { ["io.granary.node"] = "n2" };
        cache.Keep("gone", "exited", Info("gone", ContainerRunState.Exited), cache.Now());
        cache.Keep("kept", "running", Info("kept", ContainerRunState.Running), cache.Now());
        cache.Keep("elsewhere", "running", Info("elsewhere", ContainerRunState.Running, other), cache.Now());

        cache.Retain(Node, new HashSet<string> { "kept" });

        Assert.Null(cache.Get("gone", "exited"));
        Assert.NotNull(cache.Get("kept", "running"));
        Assert.NotNull(cache.Get("elsewhere", "running"));
        Assert.Equal(2, cache.Count);
    }
}
