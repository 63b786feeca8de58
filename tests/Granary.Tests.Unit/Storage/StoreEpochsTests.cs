using Granary.Grains.Storage;
using Granary.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Unit.Storage;

/// <summary>How a silo tells a Redis that lost a kind's data, and what it does about it once.</summary>
public sealed class StoreEpochsTests
{
    private readonly StoreEpochs _epochs = new(NullLogger.Instance);
    private readonly List<(long Floor, bool Rotate)> _repairs = [];
    private readonly List<ResourceKind> _lost = [];

    public StoreEpochsTests() => _epochs.DataLost += _lost.Add;

    private Task<string> Repair(long floor, bool rotate)
    {
        _repairs.Add((floor, rotate));
        return Task.FromResult(rotate ? "rotated" : "e2");
    }

    [Fact]
    public async Task SameEpoch_IsNoLoss()
    {
        await _epochs.ObserveAsync(ResourceKinds.Pod, "e1", 5, Repair);
        await _epochs.ObserveAsync(ResourceKinds.Pod, "e1", 9, Repair);
        Assert.Empty(_repairs);
        Assert.Equal(0, _epochs.Generation(ResourceKinds.Pod));
    }

    [Fact]
    public async Task NewEpoch_RaisesRevisionsPastEveryOneSeen_ThenTheGeneration_Once()
    {
        await _epochs.ObserveAsync(ResourceKinds.Pod, "e1", 40, Repair);
        await Task.WhenAll(_epochs.ObserveAsync(ResourceKinds.Pod, "e2", 1, Repair), _epochs.ObserveAsync(ResourceKinds.Pod, "e2", 2, Repair));
        Assert.Equal([(40 + StoreEpochs.RevisionGap, false)], _repairs);
        Assert.Equal(1, _epochs.Generation(ResourceKinds.Pod));
        Assert.Equal([ResourceKinds.Pod], _lost);
        // Other kinds are untouched.
        Assert.Equal(0, _epochs.Generation(ResourceKinds.Node));
        // The new epoch is now the known one.
        await _epochs.ObserveAsync(ResourceKinds.Pod, "e2", StoreEpochs.RevisionGap + 41, Repair);
        Assert.Single(_repairs);
    }

    [Fact]
    public async Task RevisionsGoingBackwards_RotateTheEpochSoOtherSilosNotice()
    {
        await _epochs.ObserveAsync(ResourceKinds.Pod, "e1", 100, Repair);
        await _epochs.WentBackwardsAsync(ResourceKinds.Pod, 100, 90, Repair);
        Assert.Equal([(100 + StoreEpochs.RevisionGap, true)], _repairs);
        Assert.Equal(1, _epochs.Generation(ResourceKinds.Pod));
        await _epochs.ObserveAsync(ResourceKinds.Pod, "rotated", StoreEpochs.RevisionGap + 100, Repair);
        Assert.Single(_repairs);
    }

    [Fact]
    public async Task AFailedRepair_IsTriedAgainByTheNextReader()
    {
        await _epochs.ObserveAsync(ResourceKinds.Pod, "e1", 3, Repair);
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            _epochs.ObserveAsync(ResourceKinds.Pod, "e2", 1, (_, _) => Task.FromException<string>(new InvalidOperationException("redis down"))));
        Assert.Equal(0, _epochs.Generation(ResourceKinds.Pod));
        await _epochs.ObserveAsync(ResourceKinds.Pod, "e2", 1, Repair);
        Assert.Equal(1, _epochs.Generation(ResourceKinds.Pod));
    }
}
