using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Tests.Unit.Workloads;

/// <summary>The history DaemonSets and StatefulSets keep, in the style of kube's history and daemon controller tests.</summary>
public class ControllerHistoryTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);

    private static PodTemplateSpec Template(string image) => new()
    {
        Metadata = new ObjectMeta { Labels = ImmutableSortedDictionary<string, string>.Empty.Add("app", "agent") },
        Spec = new PodSpec { Containers = [new Container { Name = "agent", Image = image }], RestartPolicy = "Always" },
    };

    private static readonly DaemonOwner Owner = new()
    {
        Metadata = new ObjectMeta
        {
            Name = "agent", Namespace = "kube-system", Uid = "ds-uid",
            Annotations = ImmutableSortedDictionary<string, string>.Empty.Add(ControllerHistory.ChangeCauseAnnotation, "image 1"),
        },
    };

    private static ControllerRevision Revision(string image, long number, int? collisionCount = null) =>
        ControllerHistory.New(Owner, Template(image), number, collisionCount) is var r
            ? r with { Metadata = r.Metadata with { CreationTimestamp = Created.AddMinutes(number) } }
            : throw new InvalidOperationException();

    [Fact]
    public void Patch_IsKubectlsTemplateReplacePatch_KeysSorted()
    {
        var patch = ControllerHistory.Patch(Template("local/busybox:1"));

        Assert.Equal(
            """{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"agent"}},"spec":{"containers":[{"image":"local/busybox:1","name":"agent"}],"restartPolicy":"Always"}}}}""",
            patch.Json);
    }

    [Fact]
    public void New_NamesLabelsAndOwnsTheRevision_AsKubesSnapshot()
    {
        var revision = ControllerHistory.New(Owner, Template("local/busybox:1"), 3, null);
        var hash = ControllerHistory.Hash(Template("local/busybox:1"), null);

        Assert.Equal($"agent-{hash}", revision.Metadata.Name);
        Assert.Equal("kube-system", revision.Metadata.Namespace);
        Assert.Equal(new Dictionary<string, string> { ["app"] = "agent", [ControllerHistory.HashLabel] = hash }, revision.Metadata.Labels);
        Assert.Equal("image 1", revision.Metadata.Annotations![ControllerHistory.ChangeCauseAnnotation]);
        var owner = Assert.Single(revision.Metadata.OwnerReferences!);
        Assert.Equal(("apps/v1", "DaemonSet", "agent", "ds-uid", true), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller == true));
        Assert.Equal(3, revision.Revision);
    }

    [Fact]
    public void Hash_DependsOnTemplateAndCollisionCount_AndIsStable()
    {
        Assert.Equal(ControllerHistory.Hash(Template("local/busybox:1"), null), ControllerHistory.Hash(Template("local/busybox:1"), null));
        Assert.NotEqual(ControllerHistory.Hash(Template("local/busybox:1"), null), ControllerHistory.Hash(Template("local/busybox:2"), null));
        Assert.NotEqual(ControllerHistory.Hash(Template("local/busybox:1"), null), ControllerHistory.Hash(Template("local/busybox:1"), 1));
    }

    [Fact]
    public void Name_CutsALongOwnerName_SoTheHashStillFits()
    {
        Assert.Equal(new string('a', 223) + "-h", ControllerHistory.Name(new string('a', 300), "h"));
        Assert.Equal("web-h", ControllerHistory.Name("web", "h"));
    }

    [Fact]
    public void TemplateOf_ReadsBackTheTemplate_AndNullForOtherData()
    {
        Assert.Equal(ControllerHistory.Patch(Template("local/busybox:2")), ControllerHistory.Patch(ControllerHistory.TemplateOf(Revision("local/busybox:2", 1))!));
        Assert.Null(ControllerHistory.TemplateOf(new ControllerRevision { Data = new RawExtension("""{"other":1}""") }));
        Assert.Null(ControllerHistory.TemplateOf(new ControllerRevision { Data = new RawExtension("[1]") }));
        Assert.Null(ControllerHistory.TemplateOf(new ControllerRevision()));
    }

    public static TheoryData<string, string[], string, long, bool, bool, string[], string[]> SyncCases => new()
    {
        // case, existing (image:revision), template, expected current revision, create, renumber, old, duplicates
        { "first template: revision 1 is created", [], "v1", 1, true, false, [], [] },
        { "unchanged template: nothing to do", ["v1:1"], "v1", 1, false, false, [], [] },
        { "new template: revision max+1 is created", ["v1:1", "v2:2"], "v3", 3, true, false, ["v1:1", "v2:2"], [] },
        { "back to an old template (rollback): it is renumbered newest", ["v1:1", "v2:2"], "v1", 3, false, true, ["v2:2"], [] },
        { "the newest holds the template already", ["v1:4", "v2:2"], "v1", 4, false, false, ["v2:2"], [] },
        { "two revisions hold the template: the newest is kept", ["v1:1", "v2:2", "v1:3"], "v1", 3, false, false, ["v2:2"], ["v1:1"] },
    };

    [Theory]
    [MemberData(nameof(SyncCases))]
    public void Sync_FindsCreatesOrRenumbersTheCurrentRevision(string @case, string[] existing, string image, long revision, bool create, bool renumber,
        string[] old, string[] duplicates)
    {
        var revisions = existing.Select(Parse).ToList();

        var sync = ControllerHistory.Sync(Owner, Template($"local/busybox:{image}"), null, revisions);

        Assert.True(ControllerHistory.Matches(sync.Current, Template($"local/busybox:{image}")), @case);
        Assert.Equal((revision, create, renumber), (sync.Current.Revision, sync.Create, sync.Renumber));
        Assert.Equal(old, sync.Old.Select(Describe));
        Assert.Equal(duplicates, sync.Duplicates.Select(Describe));
    }

    public static TheoryData<string, string[], string[], int, string[]> TruncateCases => new()
    {
        // case, old revisions (image:revision), images live pods run, limit, expected deletions
        { "within the limit", ["v1:1", "v2:2"], [], 2, [] },
        { "beyond the limit: oldest first", ["v1:1", "v2:2", "v3:3"], [], 1, ["v1:1", "v2:2"] },
        { "a live revision is kept and does not count", ["v1:1", "v2:2", "v3:3"], ["v1"], 1, ["v2:2"] },
        { "limit 0 keeps only live ones", ["v1:1", "v2:2"], ["v2"], 0, ["v1:1"] },
    };

    [Theory]
    [MemberData(nameof(TruncateCases))]
    public void ToDelete_KeepsTheNewestIdleRevisionsAndEveryLiveOne(string @case, string[] old, string[] live, int limit, string[] expected)
    {
        var liveHashes = live.Select(i => ControllerHistory.Hash(Template($"local/busybox:{i}"), null)).ToHashSet();

        var toDelete = ControllerHistory.ToDelete(old.Select(Parse), r => liveHashes.Contains(r.Metadata.Labels![ControllerHistory.HashLabel]), limit);

        Assert.True(expected.SequenceEqual(toDelete.Select(Describe)), $"{@case}: {string.Join(",", toDelete.Select(Describe))}");
    }

    [Fact]
    public void Patch_AppliedAsKubectlsStrategicMerge_ReplacesTheWholeTemplate()
    {
        // kubectl rollout undo sends the data as a strategic merge patch; "$patch": "replace" drops what the old template lacks.
        var data = JsonNode.Parse(ControllerHistory.Patch(Template("local/busybox:1")).Json)!;

        Assert.Equal("replace", (string?)data["spec"]!["template"]!["$patch"]);
        Assert.Null(data["spec"]!["template"]!["metadata"]!["annotations"]);
    }

    private static ControllerRevision Parse(string text)
    {
        var (image, number) = (text[..text.IndexOf(':')], long.Parse(text[(text.IndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        return Revision($"local/busybox:{image}", number);
    }

    private static string Describe(ControllerRevision r) =>
        $"{ControllerHistory.TemplateOf(r)!.Spec!.Containers![0].Image!["local/busybox:".Length..]}:{r.Revision}";

    /// <summary>An owner as a DaemonSet is one; the history needs only its type header and metadata.</summary>
    private sealed record DaemonOwner : IResource
    {
        public string ApiVersion => "apps/v1";
        public string Kind => "DaemonSet";
        public ObjectMeta Metadata { get; init; } = new();
        public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
    }
}
