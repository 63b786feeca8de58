using System.Collections.Immutable;

namespace Granary.Grains.Security;

/// <summary>
/// Who made a request, as Kubernetes' user.Info names it: the same for a bearer token, a client certificate, a
/// ServiceAccount token or a grain caller's certificate, so that one authorizer serves the HTTP API and the grain surface.
/// </summary>
/// <param name="Name">The user name, e.g. "admin", "system:node:web-1", "system:serviceaccount:ns:name".</param>
/// <param name="Uid">A unique id, empty when the source has none.</param>
/// <param name="Groups">The groups, including <see cref="WellKnownGroups.Authenticated"/> for an authenticated user.</param>
/// <param name="Extra">Further attributes (e.g. a ServiceAccount token's pod name), empty when there are none.</param>
public sealed record UserInfo(string Name, string Uid, ImmutableArray<string> Groups, ImmutableDictionary<string, ImmutableArray<string>> Extra)
{
    public UserInfo(string name, string uid, IEnumerable<string> groups)
        : this(name, uid, [.. groups], ImmutableDictionary<string, ImmutableArray<string>>.Empty)
    {
    }

    public bool InGroup(string group) => Groups.Contains(group, StringComparer.Ordinal);

    /// <summary>The anonymous user of an unauthenticated request.</summary>
    public static readonly UserInfo Anonymous = new(WellKnownUsers.Anonymous, "", [WellKnownGroups.Unauthenticated]);
}

/// <summary>The groups kube-apiserver gives or reserves.</summary>
public static class WellKnownGroups
{
    public const string Masters = "system:masters";
    public const string Authenticated = "system:authenticated";
    public const string Unauthenticated = "system:unauthenticated";
    public const string Nodes = "system:nodes";
    public const string ServiceAccounts = "system:serviceaccounts";

    /// <summary>"system:serviceaccounts:NAMESPACE", the group of a namespace's ServiceAccounts.</summary>
    public static string ServiceAccountsIn(string @namespace) => $"{ServiceAccounts}:{@namespace}";
}

/// <summary>The user names kube-apiserver gives or reserves.</summary>
public static class WellKnownUsers
{
    public const string Anonymous = "system:anonymous";
    public const string NodePrefix = "system:node:";
    public const string ServiceAccountPrefix = "system:serviceaccount:";

    public static string Node(string nodeName) => NodePrefix + nodeName;

    public static string ServiceAccount(string @namespace, string name) => $"{ServiceAccountPrefix}{@namespace}:{name}";
}
