using Granary.Grains.Security;
using Granary.Grains.Security.GrainCalls;
using Granary.Grains.Security.Nodes;
using Granary.Model;

namespace Granary.Tests.Unit.Security;

/// <summary>The Node authorizer's rules, one row per request a node (or someone else) makes.</summary>
public sealed class NodeAuthorizerTests
{
    private static readonly UserInfo NodeA = new("system:node:node-a", "", [WellKnownGroups.Nodes, WellKnownGroups.Authenticated]);
    private static readonly UserInfo Admin = new("admin", "", [WellKnownGroups.Masters, WellKnownGroups.Authenticated]);
    private static readonly UserInfo Bob = new("bob", "", [WellKnownGroups.Authenticated]);

    private sealed class FakeGraph : INodeGraph
    {
        public ValueTask<IReadOnlyList<Pod>> PodsOnAsync(string node, bool consistent) =>
            ValueTask.FromResult<IReadOnlyList<Pod>>(node == "node-a" ? [OnA] : []);
    }

    private static readonly Pod OnA = new()
    {
        Metadata = new ObjectMeta { Namespace = "web", Name = "app" },
        Spec = new PodSpec
        {
            NodeName = "node-a",
            ServiceAccountName = "app-sa",
            Containers = [new Container { Name = "c", Image = "i" }],
            Volumes =
            [
                new Volume { Name = "s", Secret = new SecretVolumeSource { SecretName = "app-secret" } },
                new Volume { Name = "c", ConfigMap = new ConfigMapVolumeSource { Name = "app-config" } },
                new Volume { Name = "p", PersistentVolumeClaim = new PersistentVolumeClaimVolumeSource { ClaimName = "app-data" } },
            ],
        },
    };

    public static TheoryData<string, string, string, string, string, string, string, AuthorizationDecision> Rows => new()
    {
        // verb, group, resource, subresource, namespace, name, field selector → decision
        { "get", "", "nodes", "", "", "node-b", "", AuthorizationDecision.Allow },
        { "list", "", "nodes", "", "", "", "", AuthorizationDecision.Allow },
        { "update", "", "nodes", "", "", "node-a", "", AuthorizationDecision.Allow },
        { "update", "", "nodes", "status", "", "node-a", "", AuthorizationDecision.Allow },
        { "create", "", "nodes", "", "", "node-a", "", AuthorizationDecision.Allow },
        { "update", "", "nodes", "", "", "node-b", "", AuthorizationDecision.Deny },
        { "update", "", "nodes", "status", "", "node-b", "", AuthorizationDecision.Deny },
        { "delete", "", "nodes", "", "", "node-a", "", AuthorizationDecision.Deny },
        { "update", "coordination.k8s.io", "leases", "", "kube-node-lease", "node-a", "", AuthorizationDecision.Allow },
        { "update", "coordination.k8s.io", "leases", "", "kube-node-lease", "node-b", "", AuthorizationDecision.Deny },
        { "update", "coordination.k8s.io", "leases", "", "default", "node-a", "", AuthorizationDecision.Deny },
        { "get", "", "pods", "", "web", "app", "", AuthorizationDecision.Allow },
        { "update", "", "pods", "status", "web", "app", "", AuthorizationDecision.Allow },
        { "delete", "", "pods", "", "web", "app", "", AuthorizationDecision.Allow },
        { "get", "", "pods", "", "web", "other", "", AuthorizationDecision.Deny },
        { "update", "", "pods", "", "web", "app", "", AuthorizationDecision.Deny },
        { "create", "", "pods", "", "web", "", "", AuthorizationDecision.Deny },
        { "create", "", "pods", "exec", "web", "app", "", AuthorizationDecision.Deny },
        { "watch", "", "pods", "", "", "", "spec.nodeName=node-a", AuthorizationDecision.Allow },
        { "list", "", "pods", "", "", "", "spec.nodeName=node-b", AuthorizationDecision.Deny },
        { "list", "", "pods", "", "", "", "", AuthorizationDecision.Deny },
        { "create", "", "events", "", "web", "", "", AuthorizationDecision.Allow },
        { "delete", "", "events", "", "web", "x", "", AuthorizationDecision.Deny },
        { "watch", "", "services", "", "", "", "", AuthorizationDecision.Allow },
        { "list", "discovery.k8s.io", "endpointslices", "", "", "", "", AuthorizationDecision.Allow },
        { "update", "", "services", "", "web", "s", "", AuthorizationDecision.Deny },
        { "get", "", "secrets", "", "web", "app-secret", "", AuthorizationDecision.Allow },
        { "get", "", "secrets", "", "web", "other-secret", "", AuthorizationDecision.Deny },
        { "get", "", "secrets", "", "other", "app-secret", "", AuthorizationDecision.Deny },
        { "list", "", "secrets", "", "web", "", "", AuthorizationDecision.Deny },
        { "get", "", "configmaps", "", "web", "app-config", "", AuthorizationDecision.Allow },
        { "get", "", "persistentvolumeclaims", "", "web", "app-data", "", AuthorizationDecision.Allow },
        { "get", "", "serviceaccounts", "", "web", "app-sa", "", AuthorizationDecision.Allow },
        { "create", "", "serviceaccounts", "token", "web", "app-sa", "", AuthorizationDecision.Allow },
        { "create", "", "serviceaccounts", "token", "web", "default", "", AuthorizationDecision.Deny },
        { "create", "certificates.k8s.io", "certificatesigningrequests", "nodeserving", "", "node-a", "", AuthorizationDecision.Allow },
        { "create", "certificates.k8s.io", "certificatesigningrequests", "nodeserving", "", "node-b", "", AuthorizationDecision.Deny },
        { "get", "apps", "deployments", "", "web", "d", "", AuthorizationDecision.Deny },
        { "create", "rbac.authorization.k8s.io", "clusterrolebindings", "", "", "", "", AuthorizationDecision.Deny },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task AuthorizeAsync_ANodesRequest_DecidesAsKubernetesNodeAuthorizer(
        string verb, string group, string resource, string subresource, string ns, string name, string fieldSelector, AuthorizationDecision expected)
    {
        var attributes = new AuthorizationAttributes
        {
            User = NodeA, Verb = verb, ApiGroup = group, Resource = resource, Subresource = subresource, Namespace = ns, Name = name, FieldSelector = fieldSelector,
        };

        var result = await new NodeAuthorizer(new FakeGraph()).AuthorizeAsync(attributes);

        Assert.Equal(expected, result.Decision);
        if (expected == AuthorizationDecision.Deny)
            Assert.NotEmpty(result.Reason);
    }

    [Fact]
    public async Task AuthorizeAsync_NotANode_HasNoOpinion()
    {
        var result = await new NodeAuthorizer(new FakeGraph()).AuthorizeAsync(new AuthorizationAttributes { User = Admin, Verb = "delete", Resource = "nodes", Name = "node-a" });

        Assert.Equal(AuthorizationDecision.NoOpinion, result.Decision);
    }

    [Fact]
    public async Task AuthorizeAsync_InTheNodesGroupWithoutANodeName_IsDenied()
    {
        var impostor = new UserInfo("mallory", "", [WellKnownGroups.Nodes]);

        var result = await new NodeAuthorizer(new FakeGraph()).AuthorizeAsync(new AuthorizationAttributes { User = impostor, Verb = "get", Resource = "nodes", Name = "node-a" });

        Assert.Equal(AuthorizationDecision.Deny, result.Decision);
    }

    [Theory]
    [InlineData("admin", AuthorizationDecision.Allow)]
    [InlineData("bob", AuthorizationDecision.Deny)]
    [InlineData("node", AuthorizationDecision.Deny)]
    public async Task AuthorizerChain_MastersThenNodeThenDeny(string who, AuthorizationDecision expected)
    {
        var user = who switch { "admin" => Admin, "bob" => Bob, _ => NodeA };
        var authorizer = new AuthorizerChain(new SystemMastersAuthorizer(), new NodeAuthorizer(new FakeGraph()));

        var result = await authorizer.AuthorizeAsync(new AuthorizationAttributes { User = user, Verb = "delete", Resource = "nodes", Name = "node-b" });

        Assert.Equal(expected, result.Decision);
    }

    [Theory]
    [InlineData("get", "pods", "", "web", "app", "pods \"app\" is forbidden: User \"bob\" cannot get resource \"pods\" in API group \"\" in the namespace \"web\": r")]
    [InlineData("list", "nodes", "", "", "", "nodes is forbidden: User \"bob\" cannot list resource \"nodes\" in API group \"\" at the cluster scope: r")]
    [InlineData("get", "pods", "log", "web", "app", "pods \"app\" is forbidden: User \"bob\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"web\": r")]
    public void ForbiddenMessages_ReadAsKubeApiserverWritesThem(string verb, string resource, string subresource, string ns, string name, string expected)
    {
        var message = ForbiddenMessages.For(new AuthorizationAttributes { User = Bob, Verb = verb, Resource = resource, Subresource = subresource, Namespace = ns, Name = name }, "r");

        Assert.Equal(expected, message);
    }
}
