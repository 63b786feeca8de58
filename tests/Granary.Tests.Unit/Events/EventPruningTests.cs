using Granary.Grains.Events;
using Granary.Model;

namespace Granary.Tests.Unit.Events;

public sealed class EventPruningTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static EventPruning.Kept Kept(string name, int secondsAgo, int bytes) =>
        new($"ns/{name}", new Event { Metadata = new ObjectMeta { Name = name, Namespace = "ns" }, LastTimestamp = T0.AddSeconds(-secondsAgo) }, bytes);

    public static TheoryData<int, long, string[]> Cases => new()
    {
        // target count, target bytes, the events deleted (oldest first)
        { 10, 10_000, [] },
        { 3, 10_000, ["d"] },
        { 2, 10_000, ["d", "c"] },
        { 10, 450, ["d"] },          // 600 bytes in all; deleting d (200) leaves 400
        { 10, 150, ["d", "c", "a"] }, // b (100) alone fits
        { 0, 0, ["d", "c", "a", "b"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plan_DeletesTheLeastRecentlyWrittenUntilBothTargetsHold(int targetCount, long targetBytes, string[] expected)
    {
        var events = new[] { Kept("a", 30, 150), Kept("b", 10, 100), Kept("c", 50, 150), Kept("d", 90, 200) };

        var victims = EventPruning.Plan(events, targetCount, targetBytes);

        Assert.Equal(expected, victims.Select(v => v.Metadata.Name));
    }

    [Fact]
    public void Plan_EqualTimes_GoInKeyOrder()
    {
        var events = new[] { Kept("y", 5, 1), Kept("x", 5, 1), Kept("z", 5, 1) };

        Assert.Equal(["x", "y"], EventPruning.Plan(events, 1, 100).Select(v => v.Metadata.Name));
    }
}
