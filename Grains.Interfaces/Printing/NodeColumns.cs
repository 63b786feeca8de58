using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Printing;

/// <summary>The computed node columns kubectl prints (its printNode), shared by the CLI and the API's Tables. Pure.</summary>
public static class NodeColumns
{
    private const string RolePrefix = "node-role.kubernetes.io/";
    private const string RoleLabel = "kubernetes.io/role";

    /// <summary>Ready or NotReady from the Ready condition (Unknown without one), then SchedulingDisabled when cordoned.</summary>
    public static string Status(Node node)
    {
        var ready = node.Status?.Conditions?.LastOrDefault(c => c.Type == "Ready");
        var status = ready is null ? "Unknown" : ready.Status == "True" ? "Ready" : "NotReady";
        return node.Spec.Unschedulable == true ? status + ",SchedulingDisabled" : status;
    }

    /// <summary>Roles from node-role.kubernetes.io/ROLE labels and the older kubernetes.io/role label, sorted.</summary>
    public static IReadOnlyList<string> Roles(Node node)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in node.Metadata.Labels ?? ImmutableSortedDictionary<string, string>.Empty)
        {
            if (key.StartsWith(RolePrefix, StringComparison.Ordinal) && key.Length > RolePrefix.Length)
                roles.Add(key[RolePrefix.Length..]);
            else if (key == RoleLabel && value.Length > 0)
                roles.Add(value);
        }
        return [.. roles];
    }

    /// <summary>The first address of a type (InternalIP, ExternalIP), or &lt;none&gt;.</summary>
    public static string Address(Node node, string type) =>
        node.Status?.Addresses?.FirstOrDefault(a => a.Type == type)?.Address ?? "<none>";
}
