using System.Collections.Immutable;
using Granary.Grains.Caching;
using Granary.Grains.Storage;
using Granary.Model;
using Granary.Selectors;
using Granary.Serialization;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Unit.Caching;

/// <summary>The watch cache's owner, label and node indexes follow every write, delete and relist.</summary>
public sealed class KindCacheIndexTests : IDisposable
{
    private readonly InMemoryObjectStore _store = new(new StoreOptions());
    private readonly KindCache _cache;

    public KindCacheIndexTests() => _cache = new KindCache(ResourceKinds.Pod, _store, 1000, NullLogger.Instance);

    public void Dispose() => _cache.Dispose();

    private static Pod Pod(string ns, string name, string? owner = null, string? node = null, params (string Key, string Value)[] labels) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            Namespace = ns,
            Uid = $"uid-{name}",
            Labels = labels.ToImmutableSortedDictionary(l => l.Key, l => l.Value),
            OwnerReferences = owner is null ? null : [new OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = owner, Uid = $"uid-{owner}", Controller = true }],
        },
        Spec = new PodSpec { NodeName = node },
    };

    private async Task<long> CreateAsync(Pod pod) =>
        await _store.CreateAsync(ResourceKinds.Pod, $"{pod.Metadata.Namespace}/{pod.Metadata.Name}", GranaryJson.SerializeResource(pod));

    private async Task CatchUpAsync() => await _cache.WaitForRevisionAsync(await _store.GetRevisionAsync(ResourceKinds.Pod), TimeSpan.FromSeconds(10));

    private static string[] Names(IEnumerable<IResource> items) => [.. items.Select(i => i.Metadata.Name!)];

    [Fact]
    public async Task OwnedBy_Selected_OnNode_FindExactlyTheMatchingObjects()
    {
        await CreateAsync(Pod("a", "web-1", "rs", "n1", ("app", "web"), ("tier", "front")));
        await CreateAsync(Pod("a", "web-2", "rs", "n2", ("app", "web")));
        await CreateAsync(Pod("a", "db-1", null, "n1", ("app", "db")));
        await CreateAsync(Pod("b", "web-1", "other", null, ("app", "web")));
        await CatchUpAsync();

        Assert.Equal(["web-1", "web-2"], Names(_cache.OwnedBy("uid-rs")));
        Assert.Equal(["web-1", "web-2"], Names(_cache.Selected("a", LabelSelector.Parse("app=web"))));
        Assert.Equal(["web-1"], Names(_cache.Selected("a", LabelSelector.Parse("app in (web,db),tier=front"))));
        Assert.Equal(["db-1", "web-1", "web-2"], Names(_cache.Selected("a", LabelSelector.Parse("app in (web,db),tier!=back"))));
        Assert.Equal(["db-1", "web-1", "web-2"], Names(_cache.Selected("a", LabelSelector.Parse("!missing"))));
        Assert.Equal(["db-1", "web-1"], Names(_cache.OnNode("n1")));
        Assert.Empty(_cache.OwnedBy("uid-nothing"));
        Assert.Empty(_cache.Selected("c", LabelSelector.Everything));
    }

    [Fact]
    public async Task Indexes_FollowUpdatesAndDeletes()
    {
        var rev = await CreateAsync(Pod("a", "p", "rs", "n1", ("app", "web")));
        // Relabelled, released and moved: every old entry goes, the new ones come.
        rev = await _store.UpdateAsync(ResourceKinds.Pod, "a/p", GranaryJson.SerializeResource(Pod("a", "p", null, "n2", ("app", "db"))), rev);
        await CatchUpAsync();
        Assert.Empty(_cache.OwnedBy("uid-rs"));
        Assert.Empty(_cache.Selected("a", LabelSelector.Parse("app=web")));
        Assert.Equal(["p"], Names(_cache.Selected("a", LabelSelector.Parse("app=db"))));
        Assert.Empty(_cache.OnNode("n1"));
        Assert.Equal(["p"], Names(_cache.OnNode("n2")));

        await _store.DeleteAsync(ResourceKinds.Pod, "a/p", GranaryJson.SerializeResource(Pod("a", "p")), rev);
        await CatchUpAsync();
        Assert.Empty(_cache.Selected("a", LabelSelector.Everything));
        Assert.Empty(_cache.OnNode("n2"));
    }

    [Fact]
    public async Task NamespacedSnapshot_UsesTheIndex_AndAgreesWithAFullScan()
    {
        await CreateAsync(Pod("a", "x", null, null, ("app", "web")));
        await CreateAsync(Pod("a", "y", null, null, ("app", "db")));
        await CreateAsync(Pod("b", "z", null, null, ("app", "web")));
        await CatchUpAsync();
        var filter = ObjectFilter.Parse("a", "app=web", null);
        var (_, indexed) = _cache.Snapshot(filter);
        var (_, all) = _cache.Snapshot(ObjectFilter.Everything);
        Assert.Equal(all.Where(i => filter.Matches(i.Value)).Select(i => i.Key), indexed.Select(i => i.Key));
        Assert.Equal(["a/x"], indexed.Select(i => i.Key));
    }

    [Fact]
    public async Task NodeNameSnapshot_UsesTheNodeIndex_AndAgreesWithAFullScan()
    {
        await CreateAsync(Pod("a", "x", null, "n1", ("app", "web")));
        await CreateAsync(Pod("b", "y", null, "n1", ("app", "db")));
        await CreateAsync(Pod("a", "z", null, "n2", ("app", "web")));
        await CreateAsync(Pod("a", "w", null, null, ("app", "web")));
        await CatchUpAsync();
        foreach (var filter in new[] { ObjectFilter.Parse(null, null, "spec.nodeName=n1"), ObjectFilter.Parse("a", "app=web", "spec.nodeName=n1"), ObjectFilter.Parse(null, null, "spec.nodeName=") })
        {
            var (_, all) = _cache.Snapshot(ObjectFilter.Everything);
            Assert.Equal(all.Where(i => filter.Matches(i.Value)).Select(i => i.Key), _cache.Snapshot(filter).Items.Select(i => i.Key));
        }
        Assert.Equal(["a/x", "b/y"], _cache.Snapshot(ObjectFilter.Parse(null, null, "spec.nodeName=n1")).Items.Select(i => i.Key));
    }
}
