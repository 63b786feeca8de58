using Granary.Grains.Security;

namespace Granary.Silo.Security;

/// <summary>
/// Who a request is from: the user its credentials prove (<see cref="Authenticated"/>) and the user it acts as
/// (<see cref="Effective"/>), which differ when it impersonates (<c>kubectl --as</c>). Kept on the HttpContext.
/// </summary>
internal sealed record RequestUser(UserInfo Authenticated, UserInfo Effective)
{
    public bool IsImpersonating => !ReferenceEquals(Authenticated, Effective);

    /// <summary>
    /// The user of a plain HTTP API, which has no authentication: kube-apiserver's old insecure port acted as this
    /// superuser, and so does Granary's <c>--api-tls false</c>.
    /// </summary>
    public static readonly UserInfo Unsecured = new("system:unsecured", "", [WellKnownGroups.Masters, WellKnownGroups.Authenticated]);
}

internal static class RequestUserExtensions
{
    /// <summary>The request's user; the authentication step sets it before anything else reads it.</summary>
    public static RequestUser RequestUser(this HttpContext context) =>
        context.Features.Get<RequestUser>() ?? throw new InvalidOperationException("the request was not authenticated: the authentication step must run first");

    public static RequestUser? RequestUserOrNull(this HttpContext context) => context.Features.Get<RequestUser>();

    public static void SetRequestUser(this HttpContext context, RequestUser user) => context.Features.Set(user);
}
