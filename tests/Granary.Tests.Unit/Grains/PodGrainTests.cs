using Granary.Api;
using Granary.Client;
using Granary.Errors;
using Granary.Model;

namespace Granary.Tests.Unit.Grains;

public sealed class PodGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    [Fact]
    public async Task Create_NewPod_AssignsSystemMetadataAndPendingPhase()
    {
        var name = Unique.Name("web");
        var created = await Client.Pods.CreateAsync(Objects.Pod("default", name));

        Assert.Equal(name, created.Metadata.Name);
        Assert.Equal("default", created.Metadata.Namespace);
        Assert.True(Guid.TryParse(created.Metadata.Uid, out _));
        Assert.Equal(1, created.Metadata.Generation);
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal("Pending", created.Status?.Phase);
        Assert.Equal("Always", created.Spec.RestartPolicy);
        Assert.Equal(30, created.Spec.TerminationGracePeriodSeconds);

        var read = await Client.Pods.GetAsync("default", name);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Create_ExistingName_FailsAlreadyExists()
    {
        var name = Unique.Name("dup");
        await Client.Pods.CreateAsync(Objects.Pod("default", name));

        var e = await Assert.ThrowsAsync<AlreadyExistsException>(() => Client.Pods.CreateAsync(Objects.Pod("default", name)));
        Assert.Equal($"pods \"{name}\" already exists", e.Message);
        Assert.Equal(409, e.Code);
    }

    [Fact]
    public async Task Get_MissingPod_FailsNotFound()
    {
        var e = await Assert.ThrowsAsync<NotFoundException>(() => Client.Pods.GetAsync("default", "nothing-here"));
        Assert.Equal("pods \"nothing-here\" not found", e.Message);
        Assert.Equal(404, e.Code);
    }

    [Fact]
    public async Task Create_InvalidPod_ReportsEveryFieldAndStoresNothing()
    {
        var name = Unique.Name("bad");
        var pod = Objects.Pod("default", name) with
        {
            Spec = new PodSpec { Containers = [new Container { Name = "a" }, new Container { Name = "a", Image = "x" }] },
        };

        var e = await Assert.ThrowsAsync<InvalidException>(() => Client.Pods.CreateAsync(pod));
        Assert.Contains(e.Causes, c => c.ToString() == "spec.containers[0].image: Required value");
        Assert.Contains(e.Causes, c => c.ToString() == "spec.containers[1].name: Duplicate value: \"a\"");
        Assert.Equal(422, e.Code);
        await Assert.ThrowsAsync<NotFoundException>(() => Client.Pods.GetAsync("default", name));
    }

    [Fact]
    public async Task Create_InMissingNamespace_FailsNotFoundNamingTheNamespace()
    {
        var e = await Assert.ThrowsAsync<NotFoundException>(() => Client.Pods.CreateAsync(Objects.Pod("no-such-ns", "web")));
        Assert.Equal("namespaces \"no-such-ns\" not found", e.Message);
    }

    [Fact]
    public async Task Update_WithStaleResourceVersion_FailsConflict()
    {
        var name = Unique.Name("stale");
        var created = await Client.Pods.CreateAsync(Objects.Pod("default", name));
        var first = await Client.Pods.UpdateAsync(created with { Metadata = created.Metadata with { Labels = Objects.Labels(("v", "1")) } });
        Assert.NotEqual(created.Metadata.ResourceVersion, first.Metadata.ResourceVersion);

        var e = await Assert.ThrowsAsync<ConflictException>(() =>
            Client.Pods.UpdateAsync(created with { Metadata = created.Metadata with { Labels = Objects.Labels(("v", "2")) } }));
        Assert.Equal(409, e.Code);
        Assert.Equal("1", (await Client.Pods.GetAsync("default", name)).Metadata.Labels!["v"]);
    }

    [Fact]
    public async Task Update_ChangingImmutableSpec_FailsInvalidAndImageChangeSucceeds()
    {
        var name = Unique.Name("immut");
        var created = await Client.Pods.CreateAsync(Objects.Pod("default", name));
        var container = created.Spec.Containers![0];

        var e = await Assert.ThrowsAsync<InvalidException>(() => Client.Pods.UpdateAsync(
            created with { Spec = created.Spec with { Containers = [container with { Command = ["true"] }] } }));
        Assert.StartsWith("spec: Forbidden: pod updates may not change fields other than", e.Causes.Single().ToString(), StringComparison.Ordinal);

        var updated = await Client.Pods.UpdateAsync(created with { Spec = created.Spec with { Containers = [container with { Image = "local/busybox:2" }] } });
        Assert.Equal("local/busybox:2", updated.Spec.Containers![0].Image);
        Assert.Equal(2, updated.Metadata.Generation);
    }

    [Fact]
    public async Task Apply_ReportsCreatedThenUnchangedThenConfigured()
    {
        var name = Unique.Name("apply");
        var manifest = Objects.Pod("default", name);

        var first = await Client.Pods.ApplyAsync(manifest);
        var second = await Client.Pods.ApplyAsync(manifest);
        var third = await Client.Pods.ApplyAsync(manifest with { Metadata = manifest.Metadata with { Labels = Objects.Labels(("tier", "web")) } });

        Assert.Equal(ApplyOutcome.Created, first.Outcome);
        Assert.Equal(ApplyOutcome.Unchanged, second.Outcome);
        Assert.Equal(first.Object.Metadata.ResourceVersion, second.Object.Metadata.ResourceVersion);
        Assert.Equal(ApplyOutcome.Configured, third.Outcome);
        Assert.Equal("web", third.Object.Metadata.Labels!["tier"]);
        Assert.Equal(first.Object.Metadata.Uid, third.Object.Metadata.Uid);
    }

    [Fact]
    public async Task Create_WithGenerateName_AddsARandomSuffix()
    {
        var pod = Objects.Pod("default", "") with { Metadata = new ObjectMeta { GenerateName = "job-", Namespace = "default" } };

        var created = await Client.Pods.CreateAsync(pod);

        Assert.Matches("^job-[bcdfghjklmnpqrstvwxz2456789]{5}$", created.Metadata.Name);
    }

    [Fact]
    public async Task Delete_UnboundPod_RemovesItAtOnce()
    {
        var name = Unique.Name("del");
        await Client.Pods.CreateAsync(Objects.Pod("default", name));

        var deleted = await Client.Pods.DeleteAsync("default", name);

        Assert.NotNull(deleted.Metadata.DeletionTimestamp);
        await Assert.ThrowsAsync<NotFoundException>(() => Client.Pods.GetAsync("default", name));
        await Assert.ThrowsAsync<NotFoundException>(() => Client.Pods.DeleteAsync("default", name));
    }

    [Fact]
    public async Task Delete_WithWrongUidPrecondition_FailsConflict()
    {
        var name = Unique.Name("precond");
        await Client.Pods.CreateAsync(Objects.Pod("default", name));

        await Assert.ThrowsAsync<ConflictException>(() => Client.Pods.DeleteAsync("default", name, new DeleteOptions { PreconditionUid = "other" }));
        Assert.Equal(name, (await Client.Pods.GetAsync("default", name)).Metadata.Name);
    }
}
