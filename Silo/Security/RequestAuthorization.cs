using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Granary.Grains.Security;
using Granary.Silo.Api;

namespace Granary.Silo.Security;

/// <summary>
/// kube-apiserver's impersonation and authorization steps. Impersonation (<c>Impersonate-User</c>,
/// <c>Impersonate-Group</c>, <c>Impersonate-Uid</c>, <c>Impersonate-Extra-*</c>; <c>kubectl --as</c>) needs the
/// impersonate verb on users, groups, serviceaccounts, uids or userextras for each value. Then every request is
/// turned into <see cref="AuthorizationAttributes"/> (<see cref="RequestAttributes"/>) and asked of the
/// <see cref="IAuthorizer"/>; a refusal is kube's 403 Status, worded as kube-apiserver words it.
/// </summary>
internal static class RequestAuthorization
{
    private const string ImpersonateUser = "Impersonate-User";
    private const string ImpersonateGroup = "Impersonate-Group";
    private const string ImpersonateUid = "Impersonate-Uid";
    private const string ImpersonateExtraPrefix = "Impersonate-Extra-";
    private const string AuthenticationGroup = "authentication.k8s.io";

    public static void UseImpersonation(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (await ImpersonateAsync(context, context.RequestServices.GetRequiredService<IAuthorizer>()))
                await next();
        });

    public static void UseRequestAuthorization(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = RequestAttributes.Resolve(context.RequestUser().Effective, context.Request.Method, context.Request.Path.Value ?? "/", context.Request.Query);
            // Left for the request metrics (Observability/ApiRequestMetrics), which label the request by it.
            context.Features.Set(request);
            var result = await context.RequestServices.GetRequiredService<IAuthorizer>().AuthorizeAsync(request, context.RequestAborted);
            if (!result.Allowed)
            {
                await ForbiddenAsync(context, request, result.Reason);
                return;
            }
            await next();
        });

    /// <summary>kube's Forbidden Status: the message, reason Forbidden and details naming the resource, its group and the object.</summary>
    public static Task ForbiddenAsync(HttpContext context, AuthorizationAttributes request, string reason)
    {
        JsonObject? details = null;
        if (request.IsResourceRequest)
        {
            details = [];
            if (request.Name.Length > 0)
                details["name"] = request.Name;
            if (request.ApiGroup.Length > 0)
                details["group"] = request.ApiGroup;
            details["kind"] = request.Resource;
        }
        return ApiStatus.WriteAsync(context, ApiStatus.Failure(StatusCodes.Status403Forbidden, "Forbidden", ForbiddenMessage.For(request, reason), details));
    }

    /// <summary>Applies the impersonation headers; false when the request was answered (400 or 403).</summary>
    private static async Task<bool> ImpersonateAsync(HttpContext context, IAuthorizer authorizer)
    {
        var headers = context.Request.Headers;
        var userName = headers[ImpersonateUser].ToString();
        var groups = headers[ImpersonateGroup].Where(g => !string.IsNullOrEmpty(g)).Select(g => g!).ToList();
        var uid = headers[ImpersonateUid].ToString();
        var extras = headers.Where(h => h.Key.StartsWith(ImpersonateExtraPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(h => (Key: Uri.UnescapeDataString(h.Key[ImpersonateExtraPrefix.Length..]).ToLowerInvariant(), Values: h.Value.Select(v => v ?? "").ToList()))
            .ToList();
        if (userName.Length == 0)
        {
            if (groups.Count > 0 || uid.Length > 0 || extras.Count > 0)
            {
                await ApiStatus.WriteAsync(context, ApiStatus.Failure(StatusCodes.Status400BadRequest, "BadRequest",
                    $"requested impersonation of {Describe(groups, uid, extras)} without impersonating a user: add the {ImpersonateUser} header (kubectl --as)"));
                return false;
            }
            return true;
        }

        var actor = context.RequestUser().Authenticated;
        var checks = new List<AuthorizationAttributes>
        {
            userName.StartsWith(WellKnownUsers.ServiceAccountPrefix, StringComparison.Ordinal) && userName.Split(':') is [_, _, var ns, var sa]
                ? Impersonate(actor, "serviceaccounts", sa, "", ns)
                : Impersonate(actor, "users", userName),
        };
        checks.AddRange(groups.Select(g => Impersonate(actor, "groups", g)));
        if (uid.Length > 0)
            checks.Add(Impersonate(actor, "uids", uid, AuthenticationGroup));
        foreach (var (key, values) in extras)
            checks.AddRange(values.Select(v => Impersonate(actor, "userextras", v, AuthenticationGroup) with { Subresource = key }));
        foreach (var check in checks)
        {
            var result = await authorizer.AuthorizeAsync(check, context.RequestAborted);
            if (!result.Allowed)
            {
                await ForbiddenAsync(context, check, result.Reason);
                return false;
            }
        }

        var effectiveGroups = new List<string>(groups);
        void Add(string group)
        {
            if (!effectiveGroups.Contains(group, StringComparer.Ordinal))
                effectiveGroups.Add(group);
        }
        if (userName == WellKnownUsers.Anonymous)
        {
            Add(WellKnownGroups.Unauthenticated);
        }
        else
        {
            if (userName.StartsWith(WellKnownUsers.ServiceAccountPrefix, StringComparison.Ordinal) && userName.Split(':') is [_, _, var saNamespace, _])
            {
                Add(WellKnownGroups.ServiceAccounts);
                Add(WellKnownGroups.ServiceAccountsIn(saNamespace));
            }
            Add(WellKnownGroups.Authenticated);
        }
        var effective = new UserInfo(userName, uid, [.. effectiveGroups],
            extras.ToImmutableDictionary(e => e.Key, e => e.Values.ToImmutableArray()));
        context.SetRequestUser(new RequestUser(actor, effective));
        return true;
    }

    private static AuthorizationAttributes Impersonate(UserInfo actor, string resource, string name, string group = "", string @namespace = "") => new()
    {
        User = actor,
        Verb = "impersonate",
        ApiGroup = group,
        Resource = resource,
        Name = name,
        Namespace = @namespace,
    };

    private static string Describe(List<string> groups, string uid, List<(string Key, List<string> Values)> extras)
    {
        var parts = new List<string>();
        if (groups.Count > 0)
            parts.Add($"groups {string.Join(", ", groups)}");
        if (uid.Length > 0)
            parts.Add($"uid {uid}");
        if (extras.Count > 0)
            parts.Add($"extra {string.Join(", ", extras.Select(e => e.Key))}");
        return string.Join(" and ", parts);
    }
}
