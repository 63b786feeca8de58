using System.Globalization;
using System.Text.Json.Nodes;
using Granary.Grains.Security;
using Granary.Silo.Api;

namespace Granary.Silo.Security;

/// <summary>
/// kube-apiserver's audit log at level Metadata, for writes: one audit.k8s.io/v1 Event per create, update, patch,
/// delete and deletecollection (subresources included), written when the response is complete (stage
/// ResponseComplete), whatever the outcome, so refused writes are recorded too. It says who (user, and
/// impersonatedUser for <c>--as</c>), from where (sourceIPs, userAgent), what (verb, objectRef, requestURI) and the
/// answer's code; never a body. Requests whose credentials are wrong (a bad token, a certificate of no trusted CA) are
/// recorded whatever their verb, as kube's failed-authentication audit records them: stage ResponseStarted, an empty
/// user, code 401 and the message naming what was attempted. Every API response carries the event's id in the
/// Audit-Id header, as kube's does.
/// </summary>
internal static class AuditLog
{
    private static readonly HashSet<string> Writes = new(StringComparer.Ordinal) { "create", "update", "patch", "delete", "deletecollection" };

    /// <summary>Runs before authentication, so that the requests it refuses are recorded too.</summary>
    public static void UseAuditLog(this IApplicationBuilder app, AuditLogFile file, TimeProvider time)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Granary.Silo.Api");
        app.Use(async (context, next) =>
        {
            var auditId = Guid.NewGuid().ToString();
            var received = time.GetUtcNow();
            context.Response.Headers["Audit-Id"] = auditId;
            try
            {
                // Errors become their Status inside the audit, so the event has the code the client gets (a refused
                // write's 403, a conflict's 409) rather than the 200 the response held before the error was written.
                await ApiErrors.HandleAsync(context, next, logger);
            }
            finally
            {
                var user = context.RequestUserOrNull();
                var request = RequestAttributes.Resolve(user?.Effective ?? UserInfo.Anonymous, context.Request.Method, context.Request.Path.Value ?? "/", context.Request.Query);
                if (user is null && context.Response.StatusCode == StatusCodes.Status401Unauthorized)
                    file.WriteLine(Event(context, auditId, request, null, received, time.GetUtcNow()).ToJsonString());
                else if (user is not null && request.IsResourceRequest && Writes.Contains(request.Verb))
                    file.WriteLine(Event(context, auditId, request, user, received, time.GetUtcNow()).ToJsonString());
            }
        });
    }

    /// <summary>The event of a request; <paramref name="user"/> null for one whose credentials were refused.</summary>
    public static JsonObject Event(HttpContext context, string auditId, AuthorizationAttributes request, RequestUser? user, DateTimeOffset received, DateTimeOffset completed)
    {
        var audit = new JsonObject
        {
            ["kind"] = "Event",
            ["apiVersion"] = "audit.k8s.io/v1",
            ["level"] = "Metadata",
            ["auditID"] = auditId,
            // kube records a failed authentication when its response starts, from a handler outside the usual chain.
            ["stage"] = user is null ? "ResponseStarted" : "ResponseComplete",
            ["requestURI"] = context.Request.Path.Value + context.Request.QueryString.Value,
            ["verb"] = request.Verb,
            ["user"] = user is null ? new JsonObject() : UserJson(user.Authenticated),
        };
        if (user is { IsImpersonating: true })
            audit["impersonatedUser"] = UserJson(user.Effective);
        audit["sourceIPs"] = new JsonArray(context.Connection.RemoteIpAddress?.MapToIPv4().ToString() ?? "");
        if (context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent)
            audit["userAgent"] = agent;
        if (request.IsResourceRequest)
            audit["objectRef"] = ObjectRef(request);
        var status = new JsonObject { ["metadata"] = new JsonObject() };
        if (user is null)
            status["message"] = FailedAuthenticationMessage(context);
        status["code"] = context.Response.StatusCode;
        audit["responseStatus"] = status;
        audit["requestReceivedTimestamp"] = Micro(received);
        audit["stageTimestamp"] = Micro(completed);
        return audit;
    }

    /// <summary>kube's getAuthMethods: which credentials the refused request carried.</summary>
    public static string FailedAuthenticationMessage(HttpContext context)
    {
        var methods = new List<string>();
        var authorization = context.Request.Headers.Authorization.ToString().Trim();
        var parts = authorization.Split(' ');
        if (parts.Length > 1 && parts[0].Equals("Basic", StringComparison.OrdinalIgnoreCase))
            methods.Add("basic");
        if (parts.Length > 1 && parts[0].Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            methods.Add("bearer");
        if (context.Request.Query["access_token"].ToString().Trim().Length > 0)
            methods.Add("access_token");
        if (context.Connection.ClientCertificate is not null)
            methods.Add("x509");
        return methods.Count > 0 ? $"Authentication failed, attempted: {string.Join(", ", methods)}" : "Authentication failed, no credentials provided";
    }

    private static JsonObject ObjectRef(AuthorizationAttributes request)
    {
        var objectRef = new JsonObject { ["resource"] = request.Resource };
        if (request.Namespace.Length > 0)
            objectRef["namespace"] = request.Namespace;
        if (request.Name.Length > 0)
            objectRef["name"] = request.Name;
        objectRef["apiGroup"] = request.ApiGroup;
        objectRef["apiVersion"] = ApiVersionOf(request.Path);
        if (request.Subresource.Length > 0)
            objectRef["subresource"] = request.Subresource;
        return objectRef;
    }

    private static JsonObject UserJson(UserInfo user)
    {
        var json = new JsonObject { ["username"] = user.Name };
        if (user.Uid.Length > 0)
            json["uid"] = user.Uid;
        if (user.Groups.Length > 0)
            json["groups"] = new JsonArray([.. user.Groups.Select(g => (JsonNode)g)]);
        return json;
    }

    /// <summary>"v1" of /api/v1/…, "v1" of /apis/apps/v1/….</summary>
    private static string ApiVersionOf(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 1 && parts[0] == "api" ? parts[1] : parts.Length > 2 ? parts[2] : "";
    }

    /// <summary>kube's audit timestamps: RFC 3339 with microseconds, UTC.</summary>
    private static string Micro(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
