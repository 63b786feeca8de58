using Granary.Grains.Security;

namespace Granary.Silo.Api.Limits;

/// <summary>Who sent a request, as far as the limits care: one accessor, so that where authentication puts the user can change in one place.</summary>
internal static class RequestIdentity
{
    /// <summary>The authenticated user's name and whether it is in system:masters; unauthenticated requests are system:anonymous.</summary>
    public static (string Name, bool IsMaster) Of(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? (name, context.User.IsInRole(WellKnownGroups.Masters))
            : (WellKnownUsers.Anonymous, false);
}
