using Granary.Grains.Security;
using Granary.Silo.Security;

namespace Granary.Silo.Api.Limits;

/// <summary>Who sent a request, as far as the limits care: the user it acts as, after authentication and impersonation.</summary>
internal static class RequestIdentity
{
    /// <summary>The effective user's name and whether it is in system:masters; a request not yet authenticated is system:anonymous.</summary>
    public static (string Name, bool IsMaster) Of(HttpContext context) =>
        context.RequestUserOrNull()?.Effective is { } user
            ? (user.Name, user.InGroup(WellKnownGroups.Masters))
            : (WellKnownUsers.Anonymous, false);
}
