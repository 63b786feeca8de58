using Granary.Grains.Rbac;
using Granary.Grains.Security;
using Granary.Grains.Security.Rbac;
using Granary.Model;

namespace Granary.Tests.Unit.Security.Rbac;

/// <summary>
/// Each default role against each verb and kind, as kube's bootstrap policy grants them: the bootstrap ClusterRoles,
/// aggregated as the controller aggregates them, bound in namespace "dev" (admin, edit, view), cluster-wide
/// (cluster-admin) or by the bootstrap bindings alone (an authenticated user with no binding: basic-user).
/// </summary>
public sealed class DefaultRoleTests
{
    private const string Ns = "dev";

    // Before Policy: static fields are initialized in order.
    private static readonly string[] BoundRoles = ["admin", "edit", "view"];

    private static readonly RbacPolicy Policy = BuildPolicy();

    private static readonly string[] ReadVerbs = ["get", "list", "watch"];
    private static readonly string[] WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];

    /// <summary>Namespaced resources (group, plural) and what each role may do with them in its namespace.</summary>
    private static readonly (string Group, string Resource, bool ViewReads, bool EditWrites, bool AdminWrites)[] Namespaced =
    [
        ("", "pods", true, true, true),
        ("", "pods/log", true, false, false),
        ("", "pods/status", true, false, false),
        ("", "services", true, true, true),
        ("", "endpoints", true, false, false),
        ("", "configmaps", true, true, true),
        ("", "secrets", false, true, true),
        ("", "serviceaccounts", true, true, true),
        ("", "persistentvolumeclaims", true, true, true),
        ("", "events", true, true, true),
        ("discovery.k8s.io", "endpointslices", true, false, false),
        ("apps", "deployments", true, true, true),
        ("apps", "deployments/scale", true, true, true),
        ("apps", "replicasets", true, true, true),
        ("apps", "statefulsets", true, true, true),
        ("apps", "daemonsets", true, true, true),
        ("apps", "controllerrevisions", true, false, false),
        ("batch", "jobs", true, true, true),
        ("batch", "cronjobs", true, true, true),
        ("policy", "poddisruptionbudgets", true, true, true),
        ("rbac.authorization.k8s.io", "roles", false, false, true),
        ("rbac.authorization.k8s.io", "rolebindings", false, false, true),
    ];

    /// <summary>Cluster-scoped resources: only cluster-admin has them (namespace bindings never reach the cluster scope).</summary>
    private static readonly (string Group, string Resource)[] ClusterScoped =
    [
        ("", "nodes"), ("", "namespaces"), ("", "persistentvolumes"), ("storage.k8s.io", "storageclasses"),
        ("rbac.authorization.k8s.io", "clusterroles"), ("rbac.authorization.k8s.io", "clusterrolebindings"),
    ];

    public static TheoryData<string, string, string, string, bool> NamespacedCases()
    {
        var data = new TheoryData<string, string, string, string, bool>();
        foreach (var (group, resource, viewReads, editWrites, adminWrites) in Namespaced)
        {
            // Edit and admin read all that view reads, and what they may write (secrets included).
            var editReads = viewReads || editWrites;
            foreach (var verb in ReadVerbs)
            {
                data.Add("view-user", verb, group, resource, viewReads);
                data.Add("edit-user", verb, group, resource, editReads);
                data.Add("admin-user", verb, group, resource, editReads || adminWrites);
                data.Add("cluster-admin-user", verb, group, resource, true);
                data.Add("basic-user", verb, group, resource, false);
            }
            foreach (var verb in WriteVerbs)
            {
                // Subresources that only read (log, status) are covered by the read rows.
                if (resource is "pods/log" or "pods/status")
                    continue;
                data.Add("view-user", verb, group, resource, false);
                data.Add("edit-user", verb, group, resource, editWrites);
                data.Add("admin-user", verb, group, resource, adminWrites);
                data.Add("cluster-admin-user", verb, group, resource, true);
                data.Add("basic-user", verb, group, resource, false);
            }
        }
        return data;
    }

    public static TheoryData<string, string, string, string, bool> ClusterScopedCases()
    {
        var data = new TheoryData<string, string, string, string, bool>();
        foreach (var (group, resource) in ClusterScoped)
            foreach (var verb in ReadVerbs.Concat(WriteVerbs))
                foreach (var user in new[] { "view-user", "edit-user", "admin-user", "basic-user" })
                    data.Add(user, verb, group, resource, false);
        foreach (var (group, resource) in ClusterScoped)
            foreach (var verb in ReadVerbs.Concat(WriteVerbs))
                data.Add("cluster-admin-user", verb, group, resource, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(NamespacedCases))]
    public void NamespacedResource_InTheBoundNamespace_IsAllowedAsTheRoleSays(string user, string verb, string group, string resource, bool allowed)
    {
        var (plural, subresource) = Split(resource);
        var request = new AuthorizationAttributes { User = User(user), Verb = verb, ApiGroup = group, Resource = plural, Subresource = subresource, Namespace = Ns, Name = verb is "list" or "watch" or "create" or "deletecollection" ? "" : "x" };

        Assert.Equal(allowed, Policy.Authorize(request).Allowed);
    }

    public static TheoryData<string, string, string, string> OtherNamespaceCases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var (group, resource, _, _, _) in Namespaced)
            foreach (var verb in ReadVerbs.Concat(WriteVerbs))
                foreach (var user in new[] { "view-user", "edit-user", "admin-user", "cluster-admin-user", "basic-user" })
                    data.Add(user, verb, group, resource);
        return data;
    }

    [Theory]
    [MemberData(nameof(OtherNamespaceCases))]
    public void NamespacedResource_InAnotherNamespace_IsAllowedOnlyToClusterAdmin(string user, string verb, string group, string resource)
    {
        var (plural, subresource) = Split(resource);
        var request = new AuthorizationAttributes { User = User(user), Verb = verb, ApiGroup = group, Resource = plural, Subresource = subresource, Namespace = "prod" };

        Assert.Equal(user == "cluster-admin-user", Policy.Authorize(request).Allowed);
    }

    [Theory]
    [MemberData(nameof(ClusterScopedCases))]
    public void ClusterScopedResource_IsAllowedOnlyToClusterAdmin(string user, string verb, string group, string resource, bool allowed)
    {
        var request = new AuthorizationAttributes { User = User(user), Verb = verb, ApiGroup = group, Resource = resource };

        Assert.Equal(allowed, Policy.Authorize(request).Allowed);
    }

    [Theory]
    [InlineData("basic-user", "create", "authorization.k8s.io", "selfsubjectaccessreviews", true)]
    [InlineData("basic-user", "create", "authorization.k8s.io", "selfsubjectrulesreviews", true)]
    [InlineData("basic-user", "create", "authentication.k8s.io", "selfsubjectreviews", true)]
    [InlineData("basic-user", "create", "authorization.k8s.io", "subjectaccessreviews", false)]
    [InlineData("cluster-admin-user", "create", "authorization.k8s.io", "subjectaccessreviews", true)]
    [InlineData("view-user", "impersonate", "", "users", false)]
    [InlineData("cluster-admin-user", "impersonate", "", "users", true)]
    public void Reviews_AndImpersonation_AsTheBootstrapPolicySays(string user, string verb, string group, string resource, bool allowed)
    {
        var request = new AuthorizationAttributes { User = User(user), Verb = verb, ApiGroup = group, Resource = resource };

        Assert.Equal(allowed, Policy.Authorize(request).Allowed);
    }

    [Theory]
    [InlineData("basic-user", "/api", true)]
    [InlineData("basic-user", "/apis/apps/v1", true)]
    [InlineData("basic-user", "/openapi/v3", true)]
    [InlineData("basic-user", "/version", true)]
    [InlineData("basic-user", "/metrics", false)]
    [InlineData("anonymous", "/version", true)]
    [InlineData("anonymous", "/healthz", true)]
    [InlineData("anonymous", "/readyz", true)]
    [InlineData("anonymous", "/livez", true)]
    [InlineData("anonymous", "/api", false)]
    [InlineData("anonymous", "/openapi/v2", false)]
    [InlineData("cluster-admin-user", "/metrics", true)]
    [InlineData("scraper", "/metrics", true)]
    [InlineData("scraper", "/readyz", true)]
    [InlineData("scraper", "/api", true)]
    [InlineData("scraper", "/openapi/v2", true)]
    public void NonResourcePaths_AsDiscoveryAndPublicInfoGrant(string user, string path, bool allowed)
    {
        var request = new AuthorizationAttributes { User = User(user), Verb = "get", IsResourceRequest = false, Path = path };

        Assert.Equal(allowed, Policy.Authorize(request).Allowed);
    }

    [Fact]
    public void Monitoring_ReadsMetrics_ButNoObjects()
    {
        var scraper = User("scraper");

        Assert.True(Policy.Authorize(new AuthorizationAttributes { User = scraper, Verb = "get", IsResourceRequest = false, Path = "/metrics" }).Allowed);
        Assert.False(Policy.Authorize(new AuthorizationAttributes { User = scraper, Verb = "list", Resource = "pods", Namespace = Ns }).Allowed);
        Assert.False(Policy.Authorize(new AuthorizationAttributes { User = scraper, Verb = "post", IsResourceRequest = false, Path = "/metrics" }).Allowed);
    }

    [Fact]
    public void Anonymous_MayNotListPods_Anywhere()
    {
        var request = new AuthorizationAttributes { User = UserInfo.Anonymous, Verb = "list", Resource = "pods", Namespace = Ns };

        Assert.False(Policy.Authorize(request).Allowed);
    }

    [Fact]
    public void Allow_NamesTheBindingRoleAndSubject()
    {
        var request = new AuthorizationAttributes { User = User("view-user"), Verb = "get", Resource = "pods", Namespace = Ns, Name = "x" };

        Assert.Equal("RBAC: allowed by RoleBinding \"view-user/dev\" of ClusterRole \"view\" to User \"view-user\"", Policy.Authorize(request).Reason);
    }

    [Fact]
    public void Masters_AreAllowedEverything_ByTheClusterAdminBinding()
    {
        var admin = new UserInfo("root", "", [WellKnownGroups.Masters, WellKnownGroups.Authenticated]);
        var request = new AuthorizationAttributes { User = admin, Verb = "delete", Resource = "nodes", Name = "n1" };

        Assert.Equal("RBAC: allowed by ClusterRoleBinding \"cluster-admin\" of ClusterRole \"cluster-admin\" to Group \"system:masters\"", Policy.Authorize(request).Reason);
    }

    private static (string Plural, string Subresource) Split(string resource) =>
        resource.Split('/') is [var plural, var sub] ? (plural, sub) : (resource, "");

    private static UserInfo User(string name) =>
        name switch
        {
            "anonymous" => UserInfo.Anonymous,
            // A Prometheus scraper's identity, in kube's group for it.
            "scraper" => new UserInfo(name, "", [BootstrapPolicy.Monitoring, WellKnownGroups.Authenticated]),
            _ => new UserInfo(name, "", [WellKnownGroups.Authenticated]),
        };

    private static RbacPolicy BuildPolicy()
    {
        var roles = BootstrapPolicy.ClusterRoles.ToList();
        // Aggregate as the controller does, until nothing changes (view into edit into admin).
        for (var changes = ClusterRoleAggregation.Plan(roles); changes.Count > 0; changes = ClusterRoleAggregation.Plan(roles))
            foreach (var changed in changes)
                roles[roles.FindIndex(r => r.Metadata.Name == changed.Metadata.Name)] = changed;
        var bindings = BoundRoles.Select(role => new RoleBinding
        {
            Metadata = new ObjectMeta { Name = $"{role}-user", Namespace = Ns },
            RoleRef = new RoleRef { ApiGroup = Subject.RbacGroup, Kind = "ClusterRole", Name = role },
            Subjects = [new Subject { Kind = Subject.UserKind, ApiGroup = Subject.RbacGroup, Name = $"{role}-user" }],
        });
        var clusterAdmin = new ClusterRoleBinding
        {
            Metadata = new ObjectMeta { Name = "cluster-admin-user" },
            RoleRef = new RoleRef { ApiGroup = Subject.RbacGroup, Kind = "ClusterRole", Name = "cluster-admin" },
            Subjects = [new Subject { Kind = Subject.UserKind, ApiGroup = Subject.RbacGroup, Name = "cluster-admin-user" }],
        };
        return new RbacPolicy([], roles, bindings, [.. BootstrapPolicy.ClusterRoleBindings, clusterAdmin]);
    }
}
