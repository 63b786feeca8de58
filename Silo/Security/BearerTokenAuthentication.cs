using System.Security.Claims;
using Granary.Silo.Api;

namespace Granary.Silo.Security;

/// <summary>
/// Every API request carries <c>Authorization: Bearer TOKEN</c> with a token of the token file, or gets kube-apiserver's
/// 401 Status (reason Unauthorized), on which kubectl prints "You must be logged in to the server". Requests without
/// credentials may read /version and the health probes, as kube's anonymous user does (system:public-info-viewer);
/// a wrong token is refused everywhere, as kube-apiserver does.
/// </summary>
internal static class BearerTokenAuthentication
{
    /// <summary>The group kube-apiserver's authenticated users belong to, besides their own.</summary>
    public const string AuthenticatedGroup = "system:authenticated";

    private static readonly HashSet<string> PublicPaths = new(StringComparer.Ordinal) { "/version", "/version/", "/healthz", "/livez", "/readyz" };

    public static void UseBearerTokens(this IApplicationBuilder app, TokenAuthenticator tokens) =>
        app.Use((context, next) => AuthenticateAsync(context, next, tokens));

    private static Task AuthenticateAsync(HttpContext context, Func<Task> next, TokenAuthenticator tokens)
    {
        var token = BearerToken(context.Request.Headers.Authorization.ToString());
        if (token is null)
            return PublicPaths.Contains(context.Request.Path.Value ?? "") ? next() : UnauthorizedAsync(context);
        if (tokens.Authenticate(token) is not { } user)
            return UnauthorizedAsync(context);
        context.User = Principal(user);
        return next();
    }

    /// <summary>The token of "Bearer TOKEN" (scheme in any case), or null for no header, another scheme or an empty
    /// token, which kube-apiserver also treats as no credentials.</summary>
    public static string? BearerToken(string header)
    {
        var parts = header.Trim().Split(' ', 3);
        if (parts.Length < 2 || !parts[0].Equals("Bearer", StringComparison.OrdinalIgnoreCase) || parts[1].Length == 0)
            return null;
        return parts[1];
    }

    private static Task UnauthorizedAsync(HttpContext context) =>
        ApiStatus.WriteAsync(context, ApiStatus.Failure(StatusCodes.Status401Unauthorized, "Unauthorized", "Unauthorized"));

    private static ClaimsPrincipal Principal(ApiUser user)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, user.Name), new(ClaimTypes.NameIdentifier, user.Uid) };
        claims.AddRange(user.Groups.Append(AuthenticatedGroup).Select(g => new Claim(ClaimTypes.Role, g)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType: "Bearer"));
    }
}
