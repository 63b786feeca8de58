using Granary.Model;
using Granary.Printing;

namespace Granary.Cli.Output;

/// <summary>NAME READY STATUS RESTARTS AGE (+ IP NODE), computed as kubectl's printPod does.</summary>
internal sealed class PodTable : IResourceTable
{
    public static readonly PodTable Instance = new();

    public IReadOnlyList<string> Header(TableOptions options) =>
        ResourceTables.WithNamespace(options, "NAMESPACE",
            options.Wide ? ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"] : ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);

    public IReadOnlyList<string> Row(IResource resource, TableOptions options, DateTimeOffset now)
    {
        var pod = (Pod)resource;
        IEnumerable<string> cells = [pod.Metadata.Name ?? "", PodColumns.Ready(pod), PodColumns.Status(pod), PodColumns.Restarts(pod, now), HumanDuration.Since(pod.Metadata.CreationTimestamp, now)];
        if (options.Wide)
            cells = cells.Concat([NoneIfEmpty(pod.Status?.PodIP), NoneIfEmpty(pod.Spec.NodeName)]);
        return ResourceTables.WithNamespace(options, pod.Metadata.Namespace, cells);
    }

    private static string NoneIfEmpty(string? value) => string.IsNullOrEmpty(value) ? "<none>" : value;
}
