namespace Granary.Grains.Security;

/// <summary>
/// What a request asks to do, as kube-apiserver's authorizer.Attributes: a verb on a resource (with its API group,
/// subresource, namespace and name) or, for non-resource requests, a verb on a path.
/// </summary>
public sealed record AuthorizationAttributes
{
    public required UserInfo User { get; init; }

    /// <summary>get, list, watch, create, update, patch, delete, deletecollection; for non-resource requests the HTTP verb in lower case.</summary>
    public required string Verb { get; init; }

    public bool IsResourceRequest { get; init; } = true;

    /// <summary>"" for the core group, e.g. "apps", "rbac.authorization.k8s.io".</summary>
    public string ApiGroup { get; init; } = "";

    /// <summary>The plural resource, e.g. "pods".</summary>
    public string Resource { get; init; } = "";

    /// <summary>e.g. "status", "log", "exec"; empty for the object itself.</summary>
    public string Subresource { get; init; } = "";

    /// <summary>Empty for cluster-scoped resources and for requests across all namespaces.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>Empty for list, watch, create and deletecollection.</summary>
    public string Name { get; init; } = "";

    /// <summary>The request path of a non-resource request, e.g. "/healthz".</summary>
    public string Path { get; init; } = "";

    /// <summary>The field selector of a list or watch (e.g. "spec.nodeName=web-1"), as kube's authorizer sees it; empty when none.</summary>
    public string FieldSelector { get; init; } = "";
}

public enum AuthorizationDecision
{
    /// <summary>This authorizer neither allows nor denies; the next one in the chain decides.</summary>
    NoOpinion,
    Allow,
    Deny,
}

/// <summary>A decision and why (shown in 403 messages and in access reviews).</summary>
public sealed record AuthorizationResult(AuthorizationDecision Decision, string Reason = "")
{
    public bool Allowed => Decision == AuthorizationDecision.Allow;

    public static readonly AuthorizationResult NoOpinion = new(AuthorizationDecision.NoOpinion);
}

/// <summary>
/// Decides whether a user may do something. One component for the HTTP API and the grain call filter: a chain of the
/// Node authorizer and RBAC (kube-apiserver's --authorization-mode=Node,RBAC); the first Allow or Deny wins.
/// </summary>
public interface IAuthorizer
{
    ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken cancellationToken = default);
}
