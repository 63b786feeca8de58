using System.Globalization;
using Granary.Api;
using Granary.Client;
using Granary.Errors;
using Granary.Model;

namespace Granary.Tests.Unit.Grains;

public sealed class ListWatchTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    private async Task<string> NewNamespaceAsync()
    {
        var ns = Unique.Name("lw");
        await Client.Namespaces.CreateAsync(Objects.Namespace(ns));
        return ns;
    }

    [Fact]
    public async Task List_WithLabelSelector_ReturnsOnlyMatchingPodsSortedByName()
    {
        var ns = await NewNamespaceAsync();
        await Client.Pods.CreateAsync(Objects.Pod(ns, "c", labels: Objects.Labels(("app", "web"), ("tier", "front"))));
        await Client.Pods.CreateAsync(Objects.Pod(ns, "a", labels: Objects.Labels(("app", "web"))));
        await Client.Pods.CreateAsync(Objects.Pod(ns, "b", labels: Objects.Labels(("app", "db"))));

        Assert.Equal(["a", "c"], Names(await Client.Pods.ListAsync(new ListOptions { Namespace = ns, LabelSelector = "app=web" })));
        Assert.Equal(["b"], Names(await Client.Pods.ListAsync(new ListOptions { Namespace = ns, LabelSelector = "app!=web" })));
        Assert.Equal(["a", "b"], Names(await Client.Pods.ListAsync(new ListOptions { Namespace = ns, LabelSelector = "!tier" })));
        Assert.Equal(["a", "b", "c"], Names(await Client.Pods.ListAsync(new ListOptions { Namespace = ns, LabelSelector = "app in (web,db)" })));
        Assert.Equal(["c"], Names(await Client.Pods.ListAsync(new ListOptions { Namespace = ns, FieldSelector = "metadata.name=c" })));
    }

    [Fact]
    public async Task List_AcrossNamespaces_IncludesEveryNamespace()
    {
        var ns1 = await NewNamespaceAsync();
        var ns2 = await NewNamespaceAsync();
        await Client.Pods.CreateAsync(Objects.Pod(ns1, "x"));
        await Client.Pods.CreateAsync(Objects.Pod(ns2, "x"));

        var all = await Client.Pods.ListAsync(new ListOptions { Namespace = null });

        Assert.Contains(all.Items, p => p.Metadata.Namespace == ns1);
        Assert.Contains(all.Items, p => p.Metadata.Namespace == ns2);
    }

    [Fact]
    public async Task List_WithLimit_PagesThroughEverythingOnce()
    {
        var ns = await NewNamespaceAsync();
        for (var i = 0; i < 5; i++)
            await Client.Pods.CreateAsync(Objects.Pod(ns, $"p{i}"));

        var seen = new List<string>();
        string? next = null;
        do
        {
            var page = await Client.Pods.ListAsync(new ListOptions { Namespace = ns, Limit = 2, Continue = next });
            Assert.True(page.Items.Length <= 2);
            seen.AddRange(Names(page));
            next = page.Continue;
        }
        while (next is not null);

        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], seen);
    }

    [Fact]
    public async Task Watch_FromListVersion_DeliversEveryLaterChangeOnceInOrder()
    {
        var ns = await NewNamespaceAsync();
        await Client.Pods.CreateAsync(Objects.Pod(ns, "before"));
        var list = await Client.Pods.ListAsync(new ListOptions { Namespace = ns });

        var created = await Client.Pods.CreateAsync(Objects.Pod(ns, "after"));
        var labelled = await Client.Pods.UpdateAsync(created with { Metadata = created.Metadata with { Labels = Objects.Labels(("x", "1")) } });
        await Client.Pods.DeleteAsync(ns, "after");
        await Client.Pods.DeleteAsync(ns, "before");

        var events = await TakeAsync(Client.Pods.WatchAsync(new WatchOptions { Namespace = ns, ResourceVersion = list.ResourceVersion }), 4);

        Assert.Equal(
            [(WatchEventType.Added, "after"), (WatchEventType.Modified, "after"), (WatchEventType.Deleted, "after"), (WatchEventType.Deleted, "before")],
            events.Select(e => (e.Type, e.Object.Metadata.Name!)).ToArray());
        Assert.Equal(labelled.Metadata.ResourceVersion, events[1].Object.Metadata.ResourceVersion);
        var versions = events.Select(e => long.Parse(e.Object.Metadata.ResourceVersion!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.True(versions[0] > long.Parse(list.ResourceVersion, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Watch_ResumedFromAnEventVersion_ContinuesWithTheNextEvent()
    {
        var ns = await NewNamespaceAsync();
        var start = (await Client.Pods.ListAsync(new ListOptions { Namespace = ns })).ResourceVersion;
        await Client.Pods.CreateAsync(Objects.Pod(ns, "one"));
        await Client.Pods.CreateAsync(Objects.Pod(ns, "two"));
        await Client.Pods.CreateAsync(Objects.Pod(ns, "three"));

        var first = (await TakeAsync(Client.Pods.WatchAsync(new WatchOptions { Namespace = ns, ResourceVersion = start }), 1)).Single();
        var rest = await TakeAsync(Client.Pods.WatchAsync(new WatchOptions { Namespace = ns, ResourceVersion = first.Object.Metadata.ResourceVersion }), 2);

        Assert.Equal("one", first.Object.Metadata.Name);
        Assert.Equal(["two", "three"], rest.Select(e => e.Object.Metadata.Name!).ToArray());
    }

    [Fact]
    public async Task Watch_WithSelector_ReportsObjectsEnteringAndLeavingIt()
    {
        var ns = await NewNamespaceAsync();
        var start = (await Client.Pods.ListAsync(new ListOptions { Namespace = ns })).ResourceVersion;
        var pod = await Client.Pods.CreateAsync(Objects.Pod(ns, "mover"));
        pod = await Client.Pods.UpdateAsync(pod with { Metadata = pod.Metadata with { Labels = Objects.Labels(("app", "web")) } });
        await Client.Pods.UpdateAsync(pod with { Metadata = pod.Metadata with { Labels = Objects.Labels(("app", "db")) } });

        var events = await TakeAsync(Client.Pods.WatchAsync(new WatchOptions { Namespace = ns, LabelSelector = "app=web", ResourceVersion = start }), 2);

        Assert.Equal([WatchEventType.Added, WatchEventType.Deleted], events.Select(e => e.Type).ToArray());
    }

    [Fact]
    public async Task Watch_FromVersionOlderThanHistory_FailsExpired()
    {
        var ns = await NewNamespaceAsync();
        var old = (await Client.Pods.ListAsync(new ListOptions { Namespace = ns })).ResourceVersion;
        // The fixture keeps 100 events in the cache window; write more than that.
        var pod = await Client.Pods.CreateAsync(Objects.Pod(ns, "churn"));
        for (var i = 0; i < 120; i++)
            pod = await Client.Pods.UpdateAsync(pod with { Metadata = pod.Metadata with { Labels = Objects.Labels(("i", $"{i}")) } });
        await Client.Pods.ListAsync(new ListOptions { Namespace = ns }); // the cache has caught up

        var e = await Assert.ThrowsAsync<ExpiredException>(() => TakeAsync(Client.Pods.WatchAsync(new WatchOptions { Namespace = ns, ResourceVersion = old }), 1));
        Assert.Equal(410, e.Code);
        Assert.StartsWith($"too old resource version: {old}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_WithoutVersion_StartsWithAddedForExistingObjects()
    {
        var ns = await NewNamespaceAsync();
        await Client.Pods.CreateAsync(Objects.Pod(ns, "existing"));

        var first = (await TakeAsync(Client.Pods.WatchAsync(new WatchOptions { Namespace = ns }), 1)).Single();

        Assert.Equal((WatchEventType.Added, "existing"), (first.Type, first.Object.Metadata.Name!));
    }

    private static string[] Names<T>(ResourceList<T> list) where T : IResource => [.. list.Items.Select(i => i.Metadata.Name!)];

    private static async Task<List<WatchEvent<T>>> TakeAsync<T>(IAsyncEnumerable<WatchEvent<T>> watch, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new List<WatchEvent<T>>();
        try
        {
            await foreach (var e in watch.WithCancellation(cts.Token))
            {
                events.Add(e);
                if (events.Count == count)
                    return events;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"watch: expected {count} events, got {events.Count}: {string.Join(", ", events.Select(e => $"{e.Type} {e}"))}");
        }
        return events;
    }
}
