using System.Globalization;
using System.Text.Json.Nodes;
using Granary.Grains.Security;

namespace Granary.Silo.Security;

/// <summary>
/// kube-apiserver's audit log at level Metadata, for writes: one audit.k8s.io/v1 Event per create, update, patch,
/// delete and deletecollection (subresources included), written when the response is complete (stage
/// ResponseComplete), whatever the outcome, so refused writes are recorded too. It says who (user, and
/// impersonatedUser for <c>--as</c>), from where (sourceIPs, userAgent), what (verb, objectRef, requestURI) and the
/// answer's code; never a body. Every API response carries the event's id in the Audit-Id header, as kube's does.
/// </summary>
internal static class AuditLog
{
    private static readonly HashSet<string> Writes = new(StringComparer.Ordinal) { "create", "update", "patch", "delete", "deletecollection" };

    public static void UseAuditLog(this IApplicationBuilder app, AuditLogFile file, TimeProvider time) =>
        app.Use(async (context, next) =>
        {
            var auditId = Guid.NewGuid().ToString();
            var received = time.GetUtcNow();
            context.Response.Headers["Audit-Id"] = auditId;
            try
            {
                await next();
            }
            finally
            {
                var user = context.RequestUser();
                var request = RequestAttributes.Resolve(user.Effective, context.Request.Method, context.Request.Path.Value ?? "/", context.Request.Query);
                if (request.IsResourceRequest && Writes.Contains(request.Verb))
                    file.WriteLine(Event(context, auditId, request, user, received, time.GetUtcNow()).ToJsonString());
            }
        });

    public static JsonObject Event(HttpContext context, string auditId, AuthorizationAttributes request, RequestUser user, DateTimeOffset received, DateTimeOffset completed)
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
        var audit = new JsonObject
        {
            ["kind"] = "Event",
            ["apiVersion"] = "audit.k8s.io/v1",
            ["level"] = "Metadata",
            ["auditID"] = auditId,
            ["stage"] = "ResponseComplete",
            ["requestURI"] = context.Request.Path.Value + context.Request.QueryString.Value,
            ["verb"] = request.Verb,
            ["user"] = UserJson(user.Authenticated),
        };
        if (user.IsImpersonating)
            audit["impersonatedUser"] = UserJson(user.Effective);
        audit["sourceIPs"] = new JsonArray(context.Connection.RemoteIpAddress?.MapToIPv4().ToString() ?? "");
        if (context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent)
            audit["userAgent"] = agent;
        audit["objectRef"] = objectRef;
        audit["responseStatus"] = new JsonObject { ["metadata"] = new JsonObject(), ["code"] = context.Response.StatusCode };
        audit["requestReceivedTimestamp"] = Micro(received);
        audit["stageTimestamp"] = Micro(completed);
        return audit;
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
