using System.Net;
using k8s;
using k8s.Models;
using static Granary.Tests.Integration.KubeApi.KubernetesClientSupport;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// The official C# KubernetesClient against a real silo: reads, writes and errors as a .NET program using the
/// library sees them. Each test works in a namespace of its own. Watches are in KubernetesClientWatchTests.cs.
/// </summary>
public sealed partial class KubernetesClientTests(KubeApiFixture api) : IClassFixture<KubeApiFixture>, IDisposable
{
    private readonly Kubernetes _client = Connect(api.Silo);

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task ListPods_NamespacedAndAcrossNamespaces_WithLabelAndFieldSelectors()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-list");
        var other = await CreateNamespaceAsync(_client, "kc-list");
        var app = ns; // a label value no other test uses
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("web-1", app), ns);
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("web-2", app), ns);
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("db-1", "db"), ns);
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("web-3", app), other);

        var all = await _client.CoreV1.ListNamespacedPodAsync(ns);
        var labelled = await _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"app={app}");
        var named = await _client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "metadata.name=db-1");
        var everywhere = await _client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: $"app={app}");

        Assert.Equal(["db-1", "web-1", "web-2"], all.Items.Select(p => p.Metadata.Name));
        Assert.All(all.Items, p => Assert.Equal(ns, p.Metadata.NamespaceProperty));
        Assert.False(string.IsNullOrEmpty(all.Metadata.ResourceVersion));
        Assert.Equal(["web-1", "web-2"], labelled.Items.Select(p => p.Metadata.Name));
        Assert.Equal("db-1", Assert.Single(named.Items).Metadata.Name);
        Assert.Equal(new[] { $"{ns}/web-1", $"{ns}/web-2", $"{other}/web-3" }.Order(StringComparer.Ordinal),
            everywhere.Items.Select(p => $"{p.Metadata.NamespaceProperty}/{p.Metadata.Name}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListPods_WithLimit_PagesThroughContinueTokens()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-page");
        foreach (var name in new[] { "p-1", "p-2", "p-3" })
            await _client.CoreV1.CreateNamespacedPodAsync(Pod(name, "page"), ns);

        var first = await _client.CoreV1.ListNamespacedPodAsync(ns, limit: 2);
        var second = await _client.CoreV1.ListNamespacedPodAsync(ns, limit: 2, continueParameter: first.Metadata.ContinueProperty);

        Assert.Equal(["p-1", "p-2"], first.Items.Select(p => p.Metadata.Name));
        Assert.False(string.IsNullOrEmpty(first.Metadata.ContinueProperty));
        Assert.Equal(["p-3"], second.Items.Select(p => p.Metadata.Name));
        Assert.True(string.IsNullOrEmpty(second.Metadata.ContinueProperty), "the last page carries no continue token");
    }

    [Fact]
    public async Task CreateThenGet_ReturnsTheStoredPod()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-get");

        var created = await _client.CoreV1.CreateNamespacedPodAsync(Pod("web", "web"), ns);
        var read = await _client.CoreV1.ReadNamespacedPodAsync("web", ns);

        Assert.Equal("Pod", created.Kind);
        Assert.Equal("v1", created.ApiVersion);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        Assert.Equal(ns, read.Metadata.NamespaceProperty);
        Assert.Equal("web", read.Metadata.Labels["app"]);
        var container = Assert.Single(read.Spec.Containers);
        Assert.Equal(["sleep", "3600"], container.Command);
        Assert.Equal("Pending", read.Status.Phase);
    }

    [Fact]
    public async Task Patch_MergeStrategicAndJson_EachChangeThePod()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-patch");
        var created = await _client.CoreV1.CreateNamespacedPodAsync(Pod("web", "web"), ns);

        var merged = await _client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(new { metadata = new { labels = new { tier = "front" } } }, V1Patch.PatchType.MergePatch), "web", ns);
        // Strategic merge: the containers list merges by name, so the command of "main" stays.
        var strategic = await _client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch(new { spec = new { containers = new[] { new { name = "main", image = "local/busybox:2" } } } }, V1Patch.PatchType.StrategicMergePatch), "web", ns);
        var json = await _client.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("""[{"op":"add","path":"/metadata/annotations","value":{"note":"json"}},{"op":"remove","path":"/metadata/labels/tier"}]""", V1Patch.PatchType.JsonPatch), "web", ns);

        Assert.Equal("front", merged.Metadata.Labels["tier"]);
        Assert.Equal("web", merged.Metadata.Labels["app"]);
        Assert.NotEqual(created.Metadata.ResourceVersion, merged.Metadata.ResourceVersion);
        var container = Assert.Single(strategic.Spec.Containers);
        Assert.Equal("local/busybox:2", container.Image);
        Assert.Equal(["sleep", "3600"], container.Command);
        Assert.Equal("json", json.Metadata.Annotations["note"]);
        Assert.False(json.Metadata.Labels.ContainsKey("tier"));
        Assert.Equal("local/busybox:2", (await _client.CoreV1.ReadNamespacedPodAsync("web", ns)).Spec.Containers[0].Image);
    }

    [Fact]
    public async Task Replace_WithTheCurrentVersionSucceeds_WithAStaleOneIsAConflict()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-put");
        var pod = await _client.CoreV1.CreateNamespacedPodAsync(Pod("web", "web"), ns);

        pod.Metadata.Labels["tier"] = "front";
        var replaced = await _client.CoreV1.ReplaceNamespacedPodAsync(pod, "web", ns);
        pod.Metadata.Labels["tier"] = "back"; // still at the version before the replace
        var conflict = await FailsWithAsync(HttpStatusCode.Conflict, () => _client.CoreV1.ReplaceNamespacedPodAsync(pod, "web", ns));

        Assert.Equal("front", replaced.Metadata.Labels["tier"]);
        Assert.NotEqual(pod.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);
        Assert.Equal("Conflict", conflict.Reason);
        Assert.Equal(409, conflict.Code);
        Assert.Equal("web", conflict.Details.Name);
        Assert.Equal("front", (await _client.CoreV1.ReadNamespacedPodAsync("web", ns)).Metadata.Labels["tier"]);
    }

    [Fact]
    public async Task Delete_ReturnsThePod_ThenGetIsNotFound()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-del");
        var created = await _client.CoreV1.CreateNamespacedPodAsync(Pod("web", "web"), ns);

        var deleted = await _client.CoreV1.DeleteNamespacedPodAsync("web", ns);
        var missing = await FailsWithAsync(HttpStatusCode.NotFound, () => _client.CoreV1.ReadNamespacedPodAsync("web", ns));

        Assert.Equal(created.Metadata.Uid, deleted.Metadata.Uid);
        Assert.Equal("NotFound", missing.Reason);
        Assert.Equal(404, missing.Code);
        Assert.Equal("pods \"web\" not found", missing.Message);
        Assert.Empty((await _client.CoreV1.ListNamespacedPodAsync(ns)).Items);
    }

    [Fact]
    public async Task Create_WithoutAnImage_IsInvalid_WithTheFieldAsACause()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-bad");
        var pod = Pod("bad", "bad");
        pod.Spec.Containers[0].Image = null;

        var invalid = await FailsWithAsync(HttpStatusCode.UnprocessableEntity, () => _client.CoreV1.CreateNamespacedPodAsync(pod, ns));
        var exists = await FailsWithAsync(HttpStatusCode.Conflict, async () =>
        {
            await _client.CoreV1.CreateNamespacedPodAsync(Pod("twice", "twice"), ns);
            await _client.CoreV1.CreateNamespacedPodAsync(Pod("twice", "twice"), ns);
        });

        Assert.Equal("Invalid", invalid.Reason);
        Assert.Equal(422, invalid.Code);
        Assert.Equal("bad", invalid.Details.Name);
        Assert.Equal("Pod", invalid.Details.Kind);
        var cause = Assert.Single(invalid.Details.Causes);
        Assert.Equal("spec.containers[0].image", cause.Field);
        Assert.Equal("FieldValueRequired", cause.Reason);
        Assert.Equal("AlreadyExists", exists.Reason);
        Assert.Empty((await _client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "metadata.name=bad")).Items);
    }

    [Fact]
    public async Task Namespaces_CreateListAndRead()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-ns");

        var list = await _client.CoreV1.ListNamespaceAsync();
        var read = await _client.CoreV1.ReadNamespaceAsync(ns);

        var names = list.Items.Select(n => n.Metadata.Name).ToList();
        Assert.Contains("default", names);
        Assert.Contains("kube-system", names);
        Assert.Contains(ns, names);
        Assert.Equal("Active", read.Status.Phase);
        Assert.Null(read.Metadata.NamespaceProperty);
    }

    [Fact]
    public async Task DeleteNamespace_AnswersWithTheTerminatingNamespace_ThenItGoes()
    {
        var ns = await CreateNamespaceAsync(_client, "kc-nsdel");
        await _client.CoreV1.CreateNamespacedPodAsync(Pod("web", "web"), ns);
        var list = await _client.CoreV1.ListNamespaceAsync(fieldSelector: $"metadata.name={ns}");

        // The generated method is typed V1Status; kube-apiserver answers with the Namespace, which the library keeps as its object view.
        var answer = await _client.CoreV1.DeleteNamespaceAsync(ns);
        var gone = false;
        using var cts = new CancellationTokenSource(WatchTimeout);
        try
        {
            await foreach (var (type, _) in _client.CoreV1.WatchListNamespaceAsync(fieldSelector: $"metadata.name={ns}",
                resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token))
            {
                if (type == WatchEventType.Deleted)
                {
                    gone = true;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"watching namespace {ns}: no DELETED event within {WatchTimeout}");
        }

        var terminating = answer.ObjectView<V1Namespace>();
        Assert.Equal(ns, terminating.Metadata.Name);
        Assert.Equal("Terminating", terminating.Status.Phase);
        Assert.True(gone);
        await FailsWithAsync(HttpStatusCode.NotFound, () => _client.CoreV1.ReadNamespaceAsync(ns));
    }

    [Fact]
    public async Task Nodes_CreateListReadAndPatchStatus()
    {
        var name = $"kc-node-{Guid.NewGuid():N}"[..16];
        await _client.CoreV1.CreateNodeAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kc-test"] = name } },
            Status = new V1NodeStatus { Capacity = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4"), ["memory"] = new("4Gi") } },
        });

        var listed = await _client.CoreV1.ListNodeAsync(labelSelector: $"kc-test={name}");
        var patched = await _client.CoreV1.PatchNodeStatusAsync(
            new V1Patch(new { status = new { capacity = new { cpu = "8" } } }, V1Patch.PatchType.MergePatch), name);
        var read = await _client.CoreV1.ReadNodeAsync(name);

        Assert.Equal(name, Assert.Single(listed.Items).Metadata.Name);
        Assert.Equal("8", patched.Status.Capacity["cpu"].ToString());
        Assert.Equal("4Gi", read.Status.Capacity["memory"].ToString());
        Assert.Equal("8", read.Status.Capacity["cpu"].ToString());
    }
}
