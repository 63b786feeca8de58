using Granary.Client;
using Granary.Errors;
using Granary.Model;

namespace Granary.Tests.Unit.Grains;

/// <summary>The default ServiceAccount every active namespace keeps, as kube's serviceaccount controller does.</summary>
public sealed class ServiceAccountGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    [Fact]
    public async Task BuiltInNamespaces_HaveTheirDefaultServiceAccount()
    {
        foreach (var ns in Namespace.BuiltIn)
            Assert.Equal(ServiceAccount.Default, (await Client.ServiceAccounts.GetAsync(ns, ServiceAccount.Default)).Metadata.Name);
    }

    [Fact]
    public async Task CreateNamespace_HasItsDefaultServiceAccountWhenItAnswers()
    {
        var ns = Unique.Name("sa");

        await Client.Namespaces.CreateAsync(Objects.Namespace(ns));

        var account = await Client.ServiceAccounts.GetAsync(ns, ServiceAccount.Default);
        Assert.Equal((ns, "ServiceAccount", "v1"), (account.Metadata.Namespace, account.Kind, account.ApiVersion));
    }

    [Fact]
    public async Task DeleteDefault_IsCreatedAgain_OtherAccountsAreNot()
    {
        var ns = Unique.Name("sa-again");
        await Client.Namespaces.CreateAsync(Objects.Namespace(ns));
        var first = await Client.ServiceAccounts.GetAsync(ns, ServiceAccount.Default);
        await Client.ServiceAccounts.CreateAsync(new ServiceAccount { Metadata = new ObjectMeta { Name = "builder", Namespace = ns } });

        await Client.ServiceAccounts.DeleteAsync(ns, ServiceAccount.Default);
        await Client.ServiceAccounts.DeleteAsync(ns, "builder");

        var again = await Eventually.Until(
            async () => (await Client.ServiceAccounts.ListAsync(new ListOptions { Namespace = ns })).Items.Select(a => a.Metadata.Uid).ToList(),
            uids => uids.Count == 1 && uids[0] != first.Metadata.Uid, $"the default ServiceAccount of {ns} created again");
        Assert.NotNull(again.Single());
        await Assert.ThrowsAsync<NotFoundException>(() => Client.ServiceAccounts.GetAsync(ns, "builder"));
    }

    [Fact]
    public async Task DeleteNamespace_TakesItsServiceAccountsAlong()
    {
        var ns = Unique.Name("sa-gone");
        await Client.Namespaces.CreateAsync(Objects.Namespace(ns));

        await Client.Namespaces.DeleteAsync(null, ns);

        await Eventually.Until(
            async () => (await Client.Namespaces.ListAsync()).Items.Any(n => n.Metadata.Name == ns),
            exists => !exists, $"namespace {ns} emptied (its default ServiceAccount not made again) and deleted");
        Assert.Empty((await Client.ServiceAccounts.ListAsync(new ListOptions { Namespace = ns })).Items);
    }
}
