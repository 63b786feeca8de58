using System.Collections.Immutable;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Grains.Security;
using Granary.Grains.Security.Rbac;
using Granary.Grains.Storage;
using Granary.Model;
using Granary.Serialization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Granary.Tests.Unit.Security.Rbac;

/// <summary>
/// Escalation prevention over a real watch cache: jane holds "get pods" in namespace "dev" and may write roles and
/// bindings there; what she may grant, and what escalate and bind lift, as kube-apiserver decides.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "xUnit disposes test classes through IAsyncLifetime.DisposeAsync, which disposes _rbac and _cache.")]
public sealed class RbacEscalationTests : IAsyncLifetime
{
    private const string Ns = "dev";
    private static readonly UserInfo Jane = new("jane", "jane-uid", [WellKnownGroups.Authenticated]);
    private static readonly UserInfo Admin = new("root", "", [WellKnownGroups.Masters, WellKnownGroups.Authenticated]);

    private readonly InMemoryObjectStore _store = new(new StoreOptions());
    private readonly WatchCache _cache;
    private readonly RbacAuthorizer _rbac;
    private readonly RbacEscalation _escalation;

    public RbacEscalationTests()
    {
        _cache = new WatchCache(_store, Options.Create(new WatchCacheOptions()), NullLoggerFactory.Instance);
        _rbac = new RbacAuthorizer(_cache);
        _escalation = new RbacEscalation(_rbac, new AuthorizerChain(new SystemMastersAuthorizer(), _rbac));
    }

    public async Task InitializeAsync()
    {
        await PutAsync(Role("jane-base", Rule("get", "", "pods"), Rule("create,update", "rbac.authorization.k8s.io", "roles,rolebindings")));
        await PutAsync(Binding("jane-base", "Role", "jane-base"));
        await PutAsync(Role("pod-reader", Rule("get", "", "pods")));
        await PutAsync(Role("secret-reader", Rule("get", "", "secrets")));
    }

    public Task DisposeAsync()
    {
        _rbac.Dispose();
        _cache.Dispose();
        return Task.CompletedTask;
    }

    private static PolicyRule Rule(string verbs, string group, string resources, string names = "") => new()
    {
        Verbs = [.. verbs.Split(',')],
        ApiGroups = [group],
        Resources = [.. resources.Split(',')],
        ResourceNames = names.Length == 0 ? null : [.. names.Split(',')],
    };

    private static Role Role(string name, params PolicyRule[] rules) =>
        new() { Metadata = new ObjectMeta { Name = name, Namespace = Ns }, Rules = [.. rules] };

    private static RoleBinding Binding(string name, string kind, string role, string user = "jane") => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = Ns },
        Subjects = [new Subject { Kind = Subject.UserKind, ApiGroup = Subject.RbacGroup, Name = user }],
        RoleRef = new RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = kind, Name = role },
    };

    private async Task PutAsync(IResource resource)
    {
        var kind = resource switch { Granary.Model.Role => ResourceKinds.Role, RoleBinding => ResourceKinds.RoleBinding, ClusterRole => ResourceKinds.ClusterRole, _ => ResourceKinds.ClusterRoleBinding };
        await _store.CreateAsync(kind, kind.KeyOf(resource.Metadata.Namespace, resource.Metadata.Name!), GranaryJson.SerializeResource(resource));
        await _cache.ConsistentAsync(kind);
    }

    [Fact]
    public async Task CreateRole_WithHeldRules_IsAllowed() =>
        await _escalation.CheckCreateAsync(Jane, Role("mine", Rule("get", "", "pods")));

    [Fact]
    public async Task CreateRole_WithRulesNotHeld_IsForbidden_InKubesWords()
    {
        var e = await Assert.ThrowsAsync<ForbiddenException>(() => _escalation.CheckCreateAsync(Jane, Role("wider", Rule("get,delete", "", "pods"))));

        Assert.Equal("""
            roles.rbac.authorization.k8s.io "wider" is forbidden: user "jane" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:
            {APIGroups:[""], Resources:["pods"], Verbs:["delete"]}
            """.ReplaceLineEndings("\n"), e.Message);
    }

    [Fact]
    public async Task CreateRole_RulesHeldInAnotherNamespaceOnly_IsForbidden() =>
        await Assert.ThrowsAsync<ForbiddenException>(() => _escalation.CheckCreateAsync(Jane,
            Role("mine", Rule("get", "", "pods")) with { Metadata = new ObjectMeta { Name = "mine", Namespace = "prod" } }));

    [Fact]
    public async Task CreateRole_WithTheEscalateVerb_IsAllowed()
    {
        await PutAsync(Role("escalator", Rule("escalate", "rbac.authorization.k8s.io", "roles")));
        await PutAsync(Binding("escalator", "Role", "escalator"));

        await _escalation.CheckCreateAsync(Jane, Role("wider", Rule("*", "*", "*")));
    }

    [Fact]
    public async Task SystemMasters_AreExempt() =>
        await _escalation.CheckCreateAsync(Admin, Role("anything", Rule("*", "*", "*")));

    [Fact]
    public async Task CreateBinding_ToARoleWhoseRulesAreHeld_IsAllowed() =>
        await _escalation.CheckCreateAsync(Jane, Binding("read", "Role", "pod-reader", user: "bob"));

    [Fact]
    public async Task CreateBinding_ToARoleNotHeld_IsForbidden_UnlessBindIsGrantedForThatRoleByName()
    {
        var e = await Assert.ThrowsAsync<ForbiddenException>(() => _escalation.CheckCreateAsync(Jane, Binding("secrets", "Role", "secret-reader", user: "bob")));
        Assert.StartsWith("rolebindings.rbac.authorization.k8s.io \"secrets\" is forbidden: user \"jane\"", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("\n{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}", e.Message, StringComparison.Ordinal);

        await PutAsync(Role("binder", Rule("bind", "rbac.authorization.k8s.io", "roles", "secret-reader")));
        await PutAsync(Binding("binder", "Role", "binder"));

        await _escalation.CheckCreateAsync(Jane, Binding("secrets", "Role", "secret-reader", user: "bob"));
        await PutAsync(Role("config-reader", Rule("get", "", "configmaps")));
        await Assert.ThrowsAsync<ForbiddenException>(() => _escalation.CheckCreateAsync(Jane, Binding("config", "Role", "config-reader", user: "bob")));
    }

    [Fact]
    public async Task CreateBinding_ToAMissingRole_IsNotFound()
    {
        var e = await Assert.ThrowsAsync<NotFoundException>(() => _escalation.CheckCreateAsync(Jane, Binding("x", "Role", "missing")));

        Assert.Equal("roles.rbac.authorization.k8s.io \"missing\" not found", e.Message);
    }

    [Fact]
    public async Task CreateClusterRole_WithAnAggregationRule_NeedsFullAuthority()
    {
        var aggregated = new ClusterRole
        {
            Metadata = new ObjectMeta { Name = "gathers" },
            AggregationRule = new AggregationRule { ClusterRoleSelectors = [new LabelSelectorSpec { MatchLabels = ImmutableSortedDictionary<string, string>.Empty.Add("a", "b") }] },
        };

        var e = await Assert.ThrowsAsync<ForbiddenException>(() => _escalation.CheckCreateAsync(Jane, aggregated));

        Assert.Equal("clusterroles.rbac.authorization.k8s.io \"gathers\" is forbidden: must have cluster-admin privileges to use the aggregationRule", e.Message);
    }

    [Fact]
    public async Task UpdateRole_ChangingOnlyFinalizers_IsAllowed_ChangingRulesIsNot()
    {
        var stored = Role("wide", Rule("*", "", "*")) with { Metadata = new ObjectMeta { Name = "wide", Namespace = Ns, ResourceVersion = "3" } };

        await _escalation.CheckUpdateAsync(Jane, stored with { Metadata = stored.Metadata with { Finalizers = ["example.com/keep"] } }, () => Task.FromResult<IResource?>(stored));
        await Assert.ThrowsAsync<ForbiddenException>(() => _escalation.CheckUpdateAsync(Jane,
            stored with { Metadata = stored.Metadata with { Labels = ImmutableSortedDictionary<string, string>.Empty.Add("a", "b") } }, () => Task.FromResult<IResource?>(stored)));
    }
}
