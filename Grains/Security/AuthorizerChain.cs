namespace Granary.Grains.Security;

/// <summary>
/// Authorizers asked in order, as kube-apiserver's --authorization-mode list: the first Allow or Deny decides; when
/// every one has no opinion the request is denied, with the reasons they gave.
/// </summary>
public sealed class AuthorizerChain(params IAuthorizer[] authorizers) : IAuthorizer
{
    public async ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken cancellationToken = default)
    {
        var reasons = new List<string>();
        foreach (var authorizer in authorizers)
        {
            var result = await authorizer.AuthorizeAsync(attributes, cancellationToken);
            if (result.Decision != AuthorizationDecision.NoOpinion)
                return result;
            if (result.Reason.Length > 0)
                reasons.Add(result.Reason);
        }
        return new AuthorizationResult(AuthorizationDecision.Deny, string.Join(", ", reasons));
    }
}

/// <summary>
/// Allows everything to members of system:masters, as kube-apiserver's privileged-group authorizer does before any
/// other: administrators keep their access even when the RBAC objects are broken or deleted.
/// </summary>
public sealed class SystemMastersAuthorizer : IAuthorizer
{
    private static readonly AuthorizationResult Allowed = new(AuthorizationDecision.Allow, $"member of {WellKnownGroups.Masters}");

    public ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(attributes.User.InGroup(WellKnownGroups.Masters) ? Allowed : AuthorizationResult.NoOpinion);
}
