using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Printing.Tables;

/// <summary>NAME CONTROLLER REVISION AGE, as kube's printControllerRevision (the controller as "daemonset.apps/web").</summary>
internal sealed class ControllerRevisionTable : KindTable
{
    public override ImmutableArray<TableColumn> Columns { get; } =
    [
        NameColumn,
        new("Controller", "Controller of the object"),
        new("Revision", "Revision indicates the revision of the state represented by Data."),
        AgeColumn,
    ];

    public override IReadOnlyList<string> Cells(IResource resource, DateTimeOffset now)
    {
        var revision = (ControllerRevision)resource;
        return
        [
            revision.Metadata.Name ?? "",
            Controller(revision.Metadata),
            revision.Revision.ToString(CultureInfo.InvariantCulture),
            Age(revision, now),
        ];
    }

    /// <summary>kube's formatResourceName of the controller's group and kind: "daemonset.apps/web", "pod/x" for the core group.</summary>
    private static string Controller(ObjectMeta meta)
    {
        if (meta.OwnerReferences?.FirstOrDefault(r => r.Controller == true) is not { } owner)
            return "<none>";
        var slash = owner.ApiVersion.IndexOf('/', StringComparison.Ordinal);
        var groupKind = slash < 0 ? owner.Kind : $"{owner.Kind}.{owner.ApiVersion[..slash]}";
        return $"{groupKind.ToLowerInvariant()}/{owner.Name}";
    }
}
