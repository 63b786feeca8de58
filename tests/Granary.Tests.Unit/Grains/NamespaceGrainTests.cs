using Granary.Client;
using Granary.Errors;

namespace Granary.Tests.Unit.Grains;

public sealed class NamespaceGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    [Fact]
    public async Task BuiltInNamespaces_ExistAndCannotBeDeleted()
    {
        var names = (await Client.Namespaces.ListAsync()).Items.Select(n => n.Metadata.Name).ToList();
        Assert.Contains("default", names);
        Assert.Contains("kube-system", names);

        var e = await Assert.ThrowsAsync<ForbiddenException>(() => Client.Namespaces.DeleteAsync(null, "default"));
        Assert.Equal("namespaces \"default\" is forbidden: this namespace may not be deleted", e.Message);
    }

    [Fact]
    public async Task Delete_NamespaceWithPods_DeletesThePodsThenItself()
    {
        var ns = Unique.Name("team");
        await Client.Namespaces.CreateAsync(Objects.Namespace(ns));
        await Client.Pods.CreateAsync(Objects.Pod(ns, "a"));
        await Client.Pods.CreateAsync(Objects.Pod(ns, "b"));

        var terminating = await Client.Namespaces.DeleteAsync(null, ns);
        Assert.Equal("Terminating", terminating.Status?.Phase);

        await Eventually.Until(
            async () => (await Client.Namespaces.ListAsync()).Items.Any(n => n.Metadata.Name == ns),
            exists => !exists, $"namespace {ns} being emptied and deleted");
        Assert.Empty((await Client.Pods.ListAsync(new ListOptions { Namespace = ns })).Items);
    }

    [Fact]
    public async Task CreatePod_InTerminatingNamespace_FailsForbidden()
    {
        var ns = Unique.Name("closing");
        await Client.Namespaces.CreateAsync(Objects.Namespace(ns));
        // A pod with a finalizer keeps the namespace terminating while we try.
        await Client.Pods.CreateAsync(Objects.Pod(ns, "held") with
        {
            Metadata = new Granary.Model.ObjectMeta { Name = "held", Namespace = ns, Finalizers = ["test/hold"] },
        });
        await Client.Namespaces.DeleteAsync(null, ns);

        var e = await Assert.ThrowsAsync<ForbiddenException>(() => Client.Pods.CreateAsync(Objects.Pod(ns, "late")));
        Assert.Equal($"unable to create new content in namespace {ns} because it is being terminated", e.Message);

        // Releasing the finalizer lets the pod and then the namespace go.
        // The clean-up marks it on its own timer: the create above may have been answered before its first pass.
        var held = await Eventually.Until(() => Client.Pods.GetAsync(ns, "held"), p => p.Metadata.DeletionTimestamp is not null,
            $"namespace {ns}'s clean-up marking pod held for deletion");
        await Client.Pods.UpdateAsync(held with { Metadata = held.Metadata with { Finalizers = [] } });
        await Eventually.Until(
            async () => (await Client.Namespaces.ListAsync()).Items.Any(n => n.Metadata.Name == ns),
            exists => !exists, $"namespace {ns} deleted after its last finalizer");
    }
}
