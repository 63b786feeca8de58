using System.Globalization;
using Granary.Client;
using Granary.Printing;

namespace Granary.Cli.Output;

/// <summary>`granary cluster status`: the silos, then object counts and revisions per kind.</summary>
internal static class ClusterStatusPrinter
{
    public static string Render(ClusterStatus status, DateTimeOffset now)
    {
        var silos = TablePrinter.Render(
            ["ADDRESS", "NAME", "STATUS", "UPTIME"],
            status.Silos.Select(s => (IReadOnlyList<string>)[s.Address, s.Name, s.Status, HumanDuration.Format(now - s.StartedAt)]));
        var objects = TablePrinter.Render(
            ["KIND", "COUNT", "RESOURCE-VERSION"],
            status.Objects.Select(k => (IReadOnlyList<string>)[k.Kind, k.Count.ToString(CultureInfo.InvariantCulture), k.ResourceVersion]));
        return silos + "\n" + objects;
    }
}
