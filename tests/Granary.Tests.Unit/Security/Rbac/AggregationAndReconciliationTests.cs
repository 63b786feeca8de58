using System.Collections.Immutable;
using Granary.Grains.Rbac;
using Granary.Grains.Security.Rbac;
using Granary.Model;

namespace Granary.Tests.Unit.Security.Rbac;

public sealed class AggregationAndReconciliationTests
{
    private static ClusterRole Named(string name) => BootstrapPolicy.ClusterRoles.Single(r => r.Metadata.Name == name);

    [Fact]
    public void Plan_FillsViewFromTheRolesLabelledAggregateToView_InNameOrder()
    {
        var extra = new ClusterRole
        {
            Metadata = new ObjectMeta { Name = "a-widgets-view", Labels = ImmutableSortedDictionary<string, string>.Empty.Add(BootstrapPolicy.AggregateToView, "true") },
            Rules = [new PolicyRule { Verbs = ["get"], ApiGroups = ["example.com"], Resources = ["widgets"] }],
        };

        var view = ClusterRoleAggregation.Plan([Named("view"), Named("system:aggregate-to-view"), extra]).Single();

        Assert.Equal("view", view.Metadata.Name);
        Assert.Equal(extra.Rules![0], view.Rules![0]);
        Assert.Equal(1 + Named("system:aggregate-to-view").Rules!.Count, view.Rules.Count);
    }

    [Fact]
    public void Plan_IsEmpty_WhenAggregatedRulesAreCurrent()
    {
        var roles = new List<ClusterRole> { Named("view"), Named("system:aggregate-to-view") };
        roles[0] = ClusterRoleAggregation.Plan(roles).Single();

        Assert.Empty(ClusterRoleAggregation.Plan(roles));
    }

    [Fact]
    public void Reconcile_Missing_CreatesTheDefault() =>
        Assert.Equal(Named("system:basic-user"), BootstrapReconciliation.Reconcile(Named("system:basic-user"), null));

    [Fact]
    public void Reconcile_KeepsAUsersRuleAndLabel_AndAddsBackARemovedDefaultRule()
    {
        var expected = Named("system:basic-user");
        var mine = new PolicyRule { Verbs = ["get"], ApiGroups = [""], Resources = ["configmaps"] };
        var existing = expected with
        {
            Metadata = expected.Metadata with { Labels = expected.Metadata.Labels!.Add("team", "ops"), ResourceVersion = "7" },
            Rules = [expected.Rules![0], mine],
        };

        var reconciled = BootstrapReconciliation.Reconcile(expected, existing)!;

        Assert.Equal([expected.Rules[0], mine, expected.Rules[1]], reconciled.Rules!);
        Assert.Equal("ops", reconciled.Metadata.Labels!["team"]);
        Assert.Equal("7", reconciled.Metadata.ResourceVersion);
    }

    [Fact]
    public void Reconcile_UpToDate_WritesNothing() =>
        Assert.Null(BootstrapReconciliation.Reconcile(Named("view"), Named("view") with { Rules = [new PolicyRule { Verbs = ["get"], ApiGroups = [""], Resources = ["pods"] }] }));

    [Fact]
    public void Reconcile_AutoupdateFalse_LeavesTheObjectAlone()
    {
        var expected = Named("system:discovery");
        var existing = expected with
        {
            Metadata = expected.Metadata with { Annotations = ImmutableSortedDictionary<string, string>.Empty.Add(BootstrapPolicy.AutoupdateAnnotation, "false") },
            Rules = [],
        };

        Assert.Null(BootstrapReconciliation.Reconcile(expected, existing));
    }

    [Fact]
    public void Reconcile_Binding_AddsBackTheDefaultSubject_KeepingOthers()
    {
        var expected = BootstrapPolicy.ClusterRoleBindings.Single(b => b.Metadata.Name == "cluster-admin");
        var jane = new Subject { Kind = Subject.UserKind, ApiGroup = Subject.RbacGroup, Name = "jane" };

        var (write, recreate) = BootstrapReconciliation.Reconcile(expected, expected with { Subjects = [jane] });

        Assert.False(recreate);
        Assert.Equal([jane, expected.Subjects![0]], write!.Subjects!);
    }

    [Fact]
    public void Reconcile_Binding_ToAnotherRole_IsRecreated()
    {
        var expected = BootstrapPolicy.ClusterRoleBindings.Single(b => b.Metadata.Name == "cluster-admin");

        var (write, recreate) = BootstrapReconciliation.Reconcile(expected, expected with { RoleRef = expected.RoleRef with { Name = "view" } });

        Assert.True(recreate);
        Assert.Equal("cluster-admin", write!.RoleRef.Name);
    }
}
