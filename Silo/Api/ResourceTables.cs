using System.Text.Json.Nodes;
using Granary.Model;
using Granary.Printing.Tables;

namespace Granary.Silo.Api;

/// <summary>What a Table row carries as its object (<c>includeObject</c>): nothing, the metadata (the default) or the whole object.</summary>
internal enum IncludeObject { None, Metadata, Object }

/// <summary>
/// Server-side Tables (meta.k8s.io/v1) with the columns kube-apiserver's printers give: kubectl 1.32 has no
/// printers of its own for these kinds, so READY, STATUS and the rest exist only if the server computes them.
/// The columns and cells come from <see cref="KindTables"/>, which the granary CLI prints too.
/// </summary>
internal static class ResourceTables
{
    public static JsonObject Table(ResourceKind kind, IEnumerable<IResource> items, string? resourceVersion, string? continueToken,
        IncludeObject include, DateTimeOffset now)
    {
        var columns = new JsonArray();
        var table = KindTables.For(kind);
        foreach (var c in table.Columns)
        {
            columns.Add(new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = "string",
                ["format"] = c.Format,
                ["description"] = c.Description,
                ["priority"] = c.Priority,
            });
        }
        var rows = new JsonArray();
        foreach (var item in items)
        {
            var row = new JsonObject { ["cells"] = new JsonArray([.. table.Cells(item, now).Select(c => (JsonNode)c)]) };
            if (include != IncludeObject.None)
                row["object"] = include == IncludeObject.Object ? ResourceJson.Object(item) : ResourceJson.PartialObjectMetadata(item);
            rows.Add(row);
        }
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = ResourceJson.ListMeta(resourceVersion, continueToken),
            ["columnDefinitions"] = columns,
            ["rows"] = rows,
        };
    }
}
