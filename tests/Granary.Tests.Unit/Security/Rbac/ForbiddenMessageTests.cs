using Granary.Grains.Security;

namespace Granary.Tests.Unit.Security.Rbac;

public sealed class ForbiddenMessageTests
{
    private static readonly UserInfo Jane = new("jane", "", [WellKnownGroups.Authenticated]);

    [Fact]
    public void NamespacedList_IsWordedAsKubeApiserver() =>
        Assert.Equal("pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"",
            ForbiddenMessage.For(new AuthorizationAttributes { User = Jane, Verb = "list", Resource = "pods", Namespace = "default" }));

    [Fact]
    public void NamedObjectOfAGroup_NamesTheGroupAndTheObject() =>
        Assert.Equal("deployments.apps \"web\" is forbidden: User \"jane\" cannot get resource \"deployments/scale\" in API group \"apps\" in the namespace \"dev\"",
            ForbiddenMessage.For(new AuthorizationAttributes { User = Jane, Verb = "get", ApiGroup = "apps", Resource = "deployments", Subresource = "scale", Namespace = "dev", Name = "web" }));

    [Fact]
    public void ClusterScoped_SaysAtTheClusterScope() =>
        Assert.Equal("nodes is forbidden: User \"jane\" cannot list resource \"nodes\" in API group \"\" at the cluster scope",
            ForbiddenMessage.For(new AuthorizationAttributes { User = Jane, Verb = "list", Resource = "nodes" }));

    [Fact]
    public void NonResource_NamesThePath() =>
        Assert.Equal("forbidden: User \"system:anonymous\" cannot get path \"/api\"",
            ForbiddenMessage.For(new AuthorizationAttributes { User = UserInfo.Anonymous, Verb = "get", IsResourceRequest = false, Path = "/api" }));

    [Fact]
    public void Reason_IsAppended() =>
        Assert.Equal("nodes is forbidden: User \"jane\" cannot list resource \"nodes\" in API group \"\" at the cluster scope: no",
            ForbiddenMessage.For(new AuthorizationAttributes { User = Jane, Verb = "list", Resource = "nodes" }, "no"));
}
