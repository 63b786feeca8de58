using Granary.Client;
using Granary.Errors;
using Granary.Model;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Security;

/// <summary>A production silo with mutual TLS on its gateway; no agent runs (block 93 is this class's).</summary>
public sealed class EscalationCluster() : MultiNodeCluster([new ClusterNode("esc-a", 93)])
{
    protected override bool StartAgentsAtStart => false;
}

/// <summary>An SDK client writing RBAC objects through the grains meets the same escalation check as kubectl.</summary>
public sealed class SdkEscalationTests(EscalationCluster cluster) : IClassFixture<EscalationCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private GranaryClientOptions Gateway => new() { Gateways = [cluster.Silo.Gateway], ClusterId = cluster.ClusterId };

    private static Role Role(string ns, string name, string verbs, string group, string resources) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Rules = [new PolicyRule { Verbs = [.. verbs.Split(',')], ApiGroups = [group], Resources = [.. resources.Split(',')] }],
    };

    [Fact]
    public async Task SdkUser_MayNotCreateARoleGrantingMoreThanSheHolds()
    {
        var ns = $"sdk-esc-{Guid.NewGuid():N}"[..15];
        await using var admin = await GranaryClient.ConnectAsync(cluster.Pki.Client(Gateway, cluster.Pki.Admin));
        await admin.Namespaces.CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = ns } });
        await admin.Roles.CreateAsync(Role(ns, "rbac-writer", "create,get", "rbac.authorization.k8s.io", "roles,rolebindings"));
        await admin.RoleBindings.CreateAsync(new RoleBinding
        {
            Metadata = new ObjectMeta { Name = "dana-writer", Namespace = ns },
            Subjects = [new Subject { Kind = Subject.UserKind, ApiGroup = Subject.RbacGroup, Name = "dana" }],
            RoleRef = new RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "rbac-writer" },
        });
        await using var dana = await GranaryClient.ConnectAsync(cluster.Pki.Client(Gateway, cluster.Pki.User("dana", "developers")));

        string last = "";
        await Waiting.UntilAsync(async () =>
        {
            try
            {
                await dana.Roles.CreateAsync(Role(ns, "pods", "get", "", "pods"));
                last = "created";
            }
            catch (ForbiddenException e)
            {
                last = e.Message;
            }
            return last.Contains("is attempting to grant", StringComparison.Ordinal);
        }, Deadline, "dana may create roles but not grant get pods", () => last);
        var held = await dana.Roles.CreateAsync(Role(ns, "reader", "get", "rbac.authorization.k8s.io", "roles"));

        Assert.StartsWith("roles.rbac.authorization.k8s.io \"pods\" is forbidden: user \"dana\" (groups=[\"developers\"", last, StringComparison.Ordinal);
        Assert.EndsWith("is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}", last, StringComparison.Ordinal);
        Assert.Equal("reader", held.Metadata.Name);
    }
}
