using Granary.Model;

namespace Granary.Cli.Output;

/// <summary>`granary describe namespace`.</summary>
internal static class NamespaceDescriber
{
    public static string Describe(Namespace ns, DateTimeOffset now)
    {
        var w = new DescribeWriter(now);
        w.Line(0, $"Name:\t{ns.Metadata.Name}");
        w.Labels("Labels", ns.Metadata.Labels);
        w.Annotations("Annotations", ns.Metadata.Annotations);
        w.Line(0, $"Status:\t{ns.Status?.Phase}");
        return w.ToString();
    }
}
