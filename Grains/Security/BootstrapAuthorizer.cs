using Granary.Grains.Security.Nodes;

namespace Granary.Grains.Security;

/// <summary>
/// The silo's authorizer until RBAC takes the second place (kube-apiserver's --authorization-mode=Node,RBAC): the
/// Node authorizer decides for nodes, the group system:masters may do everything (as kube-apiserver hard-codes), and
/// everyone else is denied.
/// </summary>
public sealed class BootstrapAuthorizer(NodeAuthorizer nodes) : IAuthorizer
{
    public async ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken cancellationToken = default)
    {
        var decision = await nodes.AuthorizeAsync(attributes, cancellationToken);
        if (decision.Decision != AuthorizationDecision.NoOpinion)
            return decision;
        return attributes.User.InGroup(WellKnownGroups.Masters)
            ? new AuthorizationResult(AuthorizationDecision.Allow)
            : new AuthorizationResult(AuthorizationDecision.Deny, "no RBAC policy matched");
    }
}
