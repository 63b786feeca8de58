using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Grains.Workloads;

/// <summary>
/// The pod template history that DaemonSets and StatefulSets keep in ControllerRevisions, as kube's
/// <c>pkg/controller/history</c> and the daemon controller keep it. A revision holds the strategic merge patch that
/// restores its template (<c>{"spec":{"template":{…,"$patch":"replace"}}}</c>), which is what
/// <c>kubectl rollout undo</c> reads and sends back as a PATCH of the owner, and what <c>kubectl rollout history</c>
/// applies to show a revision's template. It is named <c>&lt;owner&gt;-&lt;hash&gt;</c> (the template's hash and the
/// owner's collision count, the same on every silo) and labelled with the template's labels plus
/// <c>controller-revision-hash</c>, so kubectl finds it with the owner's selector. A rollback is not a special case: the
/// owner's template becomes an old one again, and the revision holding it is renumbered as the newest.
/// Pure: every function depends only on its arguments.
/// </summary>
public static class ControllerHistory
{
    /// <summary>The label on revisions and on the pods made from them (DaemonSets: the hash; StatefulSets: the revision's name).</summary>
    public const string HashLabel = "controller-revision-hash";

    /// <summary>The annotation <c>kubectl rollout history</c> prints as CHANGE-CAUSE.</summary>
    public const string ChangeCauseAnnotation = "kubernetes.io/change-cause";

    public const int DefaultLimit = 10;

    // kube's ControllerRevisionName cuts the owner's name so that "-<hash>" still fits a DNS subdomain.
    private const int MaxPrefixLength = 223;

    /// <summary>The template's hash with the owner's collision count (kube's ComputeHash, as Deployments hash templates).</summary>
    public static string Hash(PodTemplateSpec template, int? collisionCount) => PodTemplateHash.Compute(template, collisionCount);

    public static string Name(string ownerName, string hash) =>
        $"{(ownerName.Length > MaxPrefixLength ? ownerName[..MaxPrefixLength] : ownerName)}-{hash}";

    /// <summary>
    /// The revision's data for a template: kube's getPatch, with keys sorted at every level as Go's encoder writes the
    /// map kube builds, so equal templates give equal bytes.
    /// </summary>
    public static RawExtension Patch(PodTemplateSpec template)
    {
        var node = JsonSerializer.SerializeToNode(template, GranaryJson.Options)!.AsObject();
        node["$patch"] = "replace";
        var patch = new JsonObject { ["spec"] = new JsonObject { ["template"] = node } };
        return new RawExtension(Sorted(patch)!.ToJsonString(GranaryJson.Options));
    }

    /// <summary>Whether the revision holds this template (kube's Match: its data is the template's patch, byte for byte).</summary>
    public static bool Matches(ControllerRevision revision, PodTemplateSpec template) => revision.Data == Patch(template);

    /// <summary>The template a revision restores, or null when its data is not a template patch (a revision someone else wrote).</summary>
    public static PodTemplateSpec? TemplateOf(ControllerRevision revision)
    {
        if (revision.Data is not { Json: { Length: > 0 } json })
            return null;
        try
        {
            if (JsonNode.Parse(json) is not JsonObject { } data || data["spec"] is not JsonObject spec || spec["template"] is not JsonObject template)
                return null;
            template = template.DeepClone().AsObject();
            template.Remove("$patch");
            return template.Deserialize<PodTemplateSpec>(GranaryJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A new revision of <paramref name="owner"/> holding <paramref name="template"/>: kube's snapshot, with the template's
    /// labels plus the hash label, the owner's annotations (so a change-cause shows in <c>kubectl rollout history</c>) and
    /// the owner as its controller.
    /// </summary>
    public static ControllerRevision New(IResource owner, PodTemplateSpec template, long revision, int? collisionCount)
    {
        var hash = Hash(template, collisionCount);
        var labels = template.Metadata?.Labels ?? ImmutableSortedDictionary<string, string>.Empty;
        return new ControllerRevision
        {
            Metadata = new ObjectMeta
            {
                Name = Name(owner.Metadata.Name ?? "", hash),
                Namespace = owner.Metadata.Namespace,
                Labels = labels.SetItem(HashLabel, hash),
                Annotations = owner.Metadata.Annotations,
                OwnerReferences = [OwnerReferences.ControllerOf(owner)],
            },
            Data = Patch(template),
            Revision = revision,
        };
    }

    /// <summary>Oldest first: by revision, then creation time, then name (kube's SortControllerRevisions).</summary>
    public static IReadOnlyList<ControllerRevision> Sorted(IEnumerable<ControllerRevision> revisions) =>
        revisions.OrderBy(r => r.Revision).ThenBy(r => r.Metadata.CreationTimestamp).ThenBy(r => r.Metadata.Name, StringComparer.Ordinal).ToList();

    /// <summary>
    /// What the owner's history must become for its current template (kube's constructHistory): the revision holding
    /// it, created when none does, renumbered as the newest when an older one does (a rollback); when several hold it,
    /// the newest is kept and the others are duplicates to delete.
    /// </summary>
    public static HistorySync Sync(IResource owner, PodTemplateSpec template, int? collisionCount, IEnumerable<ControllerRevision> revisions)
    {
        var all = Sorted(revisions);
        var matching = all.Where(r => Matches(r, template)).ToList();
        var old = all.Where(r => !Matches(r, template)).ToList();
        var next = old.Count == 0 ? 1 : old[^1].Revision + 1;
        if (matching.Count == 0)
            return new HistorySync(New(owner, template, next, collisionCount), Create: true, Renumber: false, old, []);
        var current = matching[^1];
        var renumber = current.Revision < next;
        return new HistorySync(renumber ? current with { Revision = next } : current, Create: false, renumber, old, matching[..^1]);
    }

    /// <summary>
    /// The old revisions to delete so that at most <paramref name="limit"/> of those no pod uses remain, oldest first
    /// (kube's truncateHistory). <paramref name="live"/> says whether a pod still runs a revision's template; those,
    /// like the current one, are kept whatever the limit.
    /// </summary>
    public static IReadOnlyList<ControllerRevision> ToDelete(IEnumerable<ControllerRevision> old, Func<ControllerRevision, bool> live, int limit)
    {
        var idle = Sorted(old.Where(r => !live(r) && r.Metadata.DeletionTimestamp is null));
        return idle.Count <= limit ? [] : idle.Take(idle.Count - Math.Max(limit, 0)).ToList();
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };
}

/// <summary>
/// One history pass's plan. <see cref="Current"/> is the revision of the owner's template as it must be stored:
/// to create when <see cref="Create"/>, to update with its new number when <see cref="Renumber"/>.
/// </summary>
public sealed record HistorySync(
    ControllerRevision Current,
    bool Create,
    bool Renumber,
    IReadOnlyList<ControllerRevision> Old,
    IReadOnlyList<ControllerRevision> Duplicates);
