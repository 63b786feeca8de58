using System.Threading.Channels;
using k8s;
using k8s.Models;
using static Granary.Tests.Integration.KubeApi.KubernetesClientSupport;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// Watches through the library's own watch methods, which send <c>watch=true</c>: the async enumerable
/// (WatchList…Async) and the callback Watcher (WatchList…). Every wait ends on an event the test caused, never on a timer; the timeouts only turn a
/// hang into a failure that names what was awaited.
/// </summary>
public sealed partial class KubernetesClientTests
{
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WatchListAsync_SeesCreatePatchAndDelete_InOrder()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-watch");
        // The sentinel's ADDED (the current state sent first) proves the stream is open before the changes are made.
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("sentinel", "sentinel"), ns);
        using var cts = new CancellationTokenSource(WatchTimeout);
        var errors = new List<Exception>();
        var seen = new List<(WatchEventType Type, V1Pod Pod)>();

        try
        {
            await foreach (var (type, pod) in _client.CoreV1.WatchListNamespacedPodAsync(ns, onError: errors.Add, cancellationToken: cts.Token))
            {
                seen.Add((type, pod));
                if (type == WatchEventType.Added && pod.Metadata.Name == "sentinel")
                {
                    await _client.CoreV1.CreateNamespacedPodAsync(Pod("web", "web"), ns);
                    await _client.CoreV1.PatchNamespacedPodAsync(
                        new V1Patch(new { metadata = new { labels = new { tier = "front" } } }, V1Patch.PatchType.MergePatch), "web", ns);
                    await _client.CoreV1.DeleteNamespacedPodAsync("web", ns);
                }
                if (type == WatchEventType.Deleted && pod.Metadata.Name == "web")
                    break;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"watching pods in {ns}: no DELETED event for web within {WatchTimeout}; seen: {Describe(seen)}");
        }

        Assert.Empty(errors);
        Assert.Equal("Added sentinel, Added web, Modified web, Deleted web", Describe(seen));
        Assert.Equal("front", seen[2].Pod.Metadata.Labels["tier"]);
        Assert.Equal(seen[1].Pod.Metadata.Uid, seen[3].Pod.Metadata.Uid);
        AssertIncreasingVersions(seen.Skip(1));
    }

    [Fact]
    public async Task Watch_ResumedFromAListVersion_SeesEveryChangeMadeInBetween_AcrossNamespaces()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-resume");
        var other = await CreateNamespaceAsync(_client, "kc-resume");
        var app = ns; // a label value only this test uses
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("a", app), ns);
        var list = await _client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: $"app={app}");

        // Changes made after the list and before the watch starts: the watch must deliver each one, in order.
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("b", app), other);
        await _client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(new { metadata = new { annotations = new { step = "2" } } }, V1Patch.PatchType.MergePatch), "a", ns);
        await _client.CoreV1.DeleteNamespacedPodAsync("a", ns);
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("c", app), ns);
        await _client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(new { metadata = new { annotations = new { step = "5" } } }, V1Patch.PatchType.MergePatch), "b", other);
        // The last change marks the end, so "nothing more" is checked without waiting for silence.
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("end", app), other);

        var events = Channel.CreateUnbounded<(WatchEventType Type, V1Pod Pod)>();
        using var cts = new CancellationTokenSource(WatchTimeout);
        using var watcher = _client.CoreV1.WatchListPodForAllNamespaces(
            labelSelector: $"app={app}", resourceVersion: list.Metadata.ResourceVersion,
            onEvent: (type, pod) => events.Writer.TryWrite((type, pod)),
            onError: e => events.Writer.TryComplete(e),
            onClosed: () => events.Writer.TryComplete());
        var seen = new List<(WatchEventType Type, V1Pod Pod)>();
        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(cts.Token))
            {
                seen.Add(e);
                if (e.Pod.Metadata.Name == "end")
                    break;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"watching pods app={app} from {list.Metadata.ResourceVersion}: no ADDED event for end within {WatchTimeout}; seen: {Describe(seen)}");
        }

        Assert.Equal("a", Assert.Single(list.Items).Metadata.Name);
        Assert.Equal("Added b, Modified a, Deleted a, Added c, Modified b, Added end", Describe(seen));
        Assert.Equal([other, ns, ns, ns, other, other], seen.Select(e => e.Pod.Metadata.NamespaceProperty));
        Assert.Equal("2", seen[1].Pod.Metadata.Annotations["step"]);
        Assert.Equal("5", seen[4].Pod.Metadata.Annotations["step"]);
        AssertIncreasingVersions(seen);
        Assert.True(long.Parse(seen[0].Pod.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture)
            > long.Parse(list.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture), "the first event comes after the list");
    }

    [Fact]
    public async Task Watch_FromAVersionTheHistoryNoLongerHolds_ReportsExpired_AndEnds()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-gone");
        var list = await _client.CoreV1.ListNamespacedPodAsync(ns);
        // More writes than the fixture's watch history holds, so the list's version leaves it.
        for (var i = 0; i < KubeApiFixture.EventWindow + 2; i++)
            await _client.CoreV1.CreateNamespacedPodAsync(Pod($"p-{i}", "gone"), ns);

        var errors = new List<Exception>();
        var seen = new List<(WatchEventType Type, V1Pod Pod)>();
        using var cts = new CancellationTokenSource(WatchTimeout);
        try
        {
            await foreach (var e in _client.CoreV1.WatchListNamespacedPodAsync(ns, resourceVersion: list.Metadata.ResourceVersion,
                onError: errors.Add, cancellationToken: cts.Token))
                seen.Add(e);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"watching pods in {ns} from {list.Metadata.ResourceVersion}: the stream did not end within {WatchTimeout}; seen: {Describe(seen)}");
        }

        Assert.Empty(seen);
        var expired = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, expired.Status.Code);
        Assert.Equal("Expired", expired.Status.Reason);
    }

    private static string Describe(IEnumerable<(WatchEventType Type, V1Pod Pod)> events) =>
        string.Join(", ", events.Select(e => $"{e.Type} {e.Pod.Metadata.Name}"));

    private static void AssertIncreasingVersions(IEnumerable<(WatchEventType Type, V1Pod Pod)> events)
    {
        var versions = events.Select(e => long.Parse(e.Pod.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());
    }
}
