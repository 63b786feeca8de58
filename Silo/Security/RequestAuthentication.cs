using Granary.Grains.Security;
using Granary.Silo.Api;

namespace Granary.Silo.Security;

/// <summary>
/// kube-apiserver's authentication step: a client certificate that chains to <c>--client-ca-file</c>, else a bearer
/// token that one of the registered <see cref="ITokenAuthenticator"/>s knows (the token file, ServiceAccount tokens),
/// else the anonymous user (system:anonymous in system:unauthenticated), whom RBAC lets read only /version and the
/// health probes. Credentials that are presented and wrong get the 401 Status (reason Unauthorized), on which kubectl
/// prints "You must be logged in to the server", whatever the path, as kube-apiserver does.
/// </summary>
internal static class RequestAuthentication
{
    public static void UseRequestAuthentication(this IApplicationBuilder app, ClientCertificateAuthenticator? certificates, IReadOnlyList<ITokenAuthenticator> tokens) =>
        app.Use((context, next) => AuthenticateAsync(context, next, certificates, tokens));

    /// <summary>Plain HTTP: no credentials are asked for; every request acts as <see cref="RequestUser.Unsecured"/>.</summary>
    public static void UseUnsecuredUser(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.SetRequestUser(new RequestUser(RequestUser.Unsecured, RequestUser.Unsecured));
            return next();
        });

    private static async Task AuthenticateAsync(HttpContext context, Func<Task> next, ClientCertificateAuthenticator? certificates, IReadOnlyList<ITokenAuthenticator> tokens)
    {
        var user = await UserOfAsync(context, certificates, tokens);
        if (user is null)
        {
            await UnauthorizedAsync(context);
            return;
        }
        context.SetRequestUser(new RequestUser(user, user));
        await next();
    }

    /// <summary>The user, anonymous when no credentials came, or null when the credentials are wrong.</summary>
    private static async Task<UserInfo?> UserOfAsync(HttpContext context, ClientCertificateAuthenticator? certificates, IReadOnlyList<ITokenAuthenticator> tokens)
    {
        // kube's union authenticator: the certificate first; a certificate that does not verify is no credential.
        if (certificates is not null && context.Connection.ClientCertificate is { } certificate && certificates.Authenticate(certificate) is { } certified)
            return certified;
        if (BearerToken(context.Request.Headers.Authorization.ToString()) is not { } token)
            return context.Connection.ClientCertificate is not null && certificates is not null ? null : UserInfo.Anonymous;
        foreach (var authenticator in tokens)
            if (await authenticator.AuthenticateAsync(token, context.RequestAborted) is { } user)
                return user;
        return null;
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
}
