using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Security.Rbac;

public sealed class RbacValidationTests
{
    private static readonly RoleRef View = new() { ApiGroup = Subject.RbacGroup, Kind = "ClusterRole", Name = "view" };

    private static string[] Errors(IEnumerable<Granary.Errors.FieldError> errors) => [.. errors.Select(e => e.ToString())];

    [Fact]
    public void Role_WithAColonName_AndGoodRules_IsValid()
    {
        var role = new Role
        {
            Metadata = new ObjectMeta { Name = "system:reader", Namespace = "default" },
            Rules = [new PolicyRule { Verbs = ["get"], ApiGroups = [""], Resources = ["pods"] }],
        };

        Assert.Empty(RbacValidation.Validate(role));
    }

    [Fact]
    public void Rules_NeedVerbsGroupsAndResources()
    {
        var role = new Role { Metadata = new ObjectMeta { Name = "r", Namespace = "default" }, Rules = [new PolicyRule()] };

        Assert.Equal(
        [
            "rules[0].verbs: Required value: verbs must contain at least one value",
            "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
            "rules[0].resources: Required value: resource rules must supply at least one resource",
        ], Errors(RbacValidation.Validate(role)));
    }

    [Fact]
    public void Role_MayNotHaveNonResourceUrls()
    {
        var role = new Role { Metadata = new ObjectMeta { Name = "r", Namespace = "default" }, Rules = [new PolicyRule { Verbs = ["get"], NonResourceUrls = ["/healthz"] }] };

        Assert.Equal(["rules[0].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to non-resource URLs"], Errors(RbacValidation.Validate(role)));
    }

    [Fact]
    public void Binding_RoleRefAndSubjects_AreChecked()
    {
        var binding = new ClusterRoleBinding
        {
            Metadata = new ObjectMeta { Name = "b" },
            RoleRef = new RoleRef { ApiGroup = "", Kind = "Role", Name = "x" },
            Subjects =
            [
                new Subject { Kind = "ServiceAccount", Name = "robot" },
                new Subject { Kind = "Robot", Name = "r2" },
                new Subject { Kind = "User", ApiGroup = Subject.RbacGroup, Name = "" },
            ],
        };

        Assert.Equal(
        [
            "roleRef.apiGroup: Unsupported value: \"\": supported values: \"rbac.authorization.k8s.io\"",
            "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"",
            "subjects[0].namespace: Required value",
            "subjects[1].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", \"Group\"",
            "subjects[2].name: Required value",
        ], Errors(RbacValidation.Validate(binding)));
    }

    [Fact]
    public void RoleBinding_ServiceAccountWithoutNamespace_IsValid()
    {
        var binding = new RoleBinding
        {
            Metadata = new ObjectMeta { Name = "b", Namespace = "dev" },
            RoleRef = View,
            Subjects = [new Subject { Kind = "ServiceAccount", Name = "robot" }],
        };

        Assert.Empty(RbacValidation.Validate(binding));
    }

    [Fact]
    public void RoleRef_CannotChange()
    {
        var edit = View with { Name = "edit" };

        Assert.Equal(["roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef"],
            Errors(RbacValidation.RoleRefUnchanged(View, edit)));
        Assert.Empty(RbacValidation.RoleRefUnchanged(View, View with { }));
    }

    [Fact]
    public void UsersAndGroups_GetTheRbacGroup_ByDefault()
    {
        var subjects = RbacValidation.DefaultSubjects([new Subject { Kind = "User", Name = "jane" }, new Subject { Kind = "ServiceAccount", Name = "robot" }])!;

        Assert.Equal(Subject.RbacGroup, subjects[0].ApiGroup);
        Assert.Null(subjects[1].ApiGroup);
    }
}
