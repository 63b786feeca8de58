using Granary.Grains.Nodes;
using Granary.Model;

namespace Granary.Tests.Unit.Nodes;

public class TaintEvictionTests
{
    private static readonly DateTimeOffset Added = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static Taint Taint(string key, DateTimeOffset? added = null) => new() { Key = key, Effect = "NoExecute", TimeAdded = added ?? Added };

    private static Toleration Tol(string? key, long? seconds, string? effect = "NoExecute", string op = "Exists") =>
        new() { Key = key, Operator = op, Effect = effect, TolerationSeconds = seconds };

    [Fact]
    public void EvictAt_EachTaintCountsFromItsOwnTime_TheEarliestWins()
    {
        var at = TaintEviction.EvictAt([Tol("a", 30), Tol("b", 10)], [Taint("a"), Taint("b", Added.AddSeconds(25))], Added);

        Assert.Equal(Added.AddSeconds(30), at);
    }

    [Fact]
    public void EvictAt_FirstMatchingTolerationDecides_AsKubePicksIt()
    {
        // An empty key with Exists tolerates every taint; it comes first, so its seconds count.
        Assert.Null(TaintEviction.EvictAt([Tol(null, null), Tol("a", 5)], [Taint("a")], Added));
        Assert.Equal(Added.AddSeconds(5), TaintEviction.EvictAt([Tol("a", 5), Tol(null, null)], [Taint("a")], Added));
    }

    [Fact]
    public void EvictAt_OneUntoleratedTaint_IsAtOnce()
    {
        Assert.Equal(DateTimeOffset.MinValue, TaintEviction.EvictAt([Tol("a", null)], [Taint("a"), Taint("b")], Added));
    }

    [Fact]
    public void EvictAt_TaintWithoutTimeAdded_CountsFromTheGivenTime()
    {
        var unknown = Added.AddMinutes(1);

        Assert.Equal(unknown.AddSeconds(7), TaintEviction.EvictAt([Tol("a", 7)], [new Taint { Key = "a", Effect = "NoExecute" }], unknown));
    }

    [Fact]
    public void EvictAt_NoTaints_IsNever()
    {
        Assert.Null(TaintEviction.EvictAt([], [], Added));
    }
}
