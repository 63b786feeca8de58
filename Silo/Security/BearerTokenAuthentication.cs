using System.Security.Claims;
using Granary.Grains.Security;
using Granary.Silo.Api;

namespace Granary.Silo.Security;

/// <summary>
/// Every API request carries <c>Authorization: Bearer TOKEN</c> with a token of the token file, or gets kube-apiserver's
/// 401 Status (reason Unauthorized), on which kubectl prints "You must be logged in to the server". Requests without
/// credentials may read /version and the health probes, as kube's anonymous user does (system:public-info-viewer);
/// a wrong token is refused everywhere, as kube-apiserver does. A token the file does not hold is offered to every
/// registered <see cref="ITokenAuthenticator"/> (ServiceAccount tokens), in order.
/// </summary>
internal static class BearerTokenAuthentication
{
    /// <summary>The group kube-apiserver's authenticated users belong to, besides their own.</summary>
    public const string AuthenticatedGroup = "system:authenticated";

    private static readonly HashSet<string> PublicPaths = new(StringComparer.Ordinal) { "/version", "/version/", "/healthz", "/livez", "/readyz" };

    public static void UseBearerTokens(this IApplicationBuilder app, TokenAuthenticator tokens)
    {
        var others = app.ApplicationServices.GetServices<ITokenAuthenticator>().ToArray();
        app.Use((context, next) => AuthenticateAsync(context, next, tokens, others));
    }

    private static async Task AuthenticateAsync(HttpContext context, Func<Task> next, TokenAuthenticator tokens, ITokenAuthenticator[] others)
    {
        var token = BearerToken(context.Request.Headers.Authorization.ToString());
        if (token is null)
        {
            await (PublicPaths.Contains(context.Request.Path.Value ?? "") ? next() : UnauthorizedAsync(context));
            return;
        }
        if (tokens.Authenticate(token) is { } user)
        {
            context.User = Principal(user);
            await next();
            return;
        }
        foreach (var authenticator in others)
        {
            if (await authenticator.AuthenticateAsync(token, context.RequestAborted) is { } info)
            {
                context.User = Principal(info);
                context.Items[typeof(UserInfo)] = info;
                await next();
                return;
            }
        }
        await UnauthorizedAsync(context);
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

    private static ClaimsPrincipal Principal(UserInfo user)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, user.Name), new(ClaimTypes.NameIdentifier, user.Uid) };
        claims.AddRange(user.Groups.Select(g => new Claim(ClaimTypes.Role, g)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType: "Bearer"));
    }
}
