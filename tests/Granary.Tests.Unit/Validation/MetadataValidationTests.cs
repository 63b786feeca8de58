using System.Collections.Immutable;
using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class MetadataValidationTests
{
    public sealed record Input(ObjectMeta Meta, bool Namespaced = true, NameRule Rule = NameRule.Dns1123Subdomain);

    private static ObjectMeta Named(string? name = "web", string? ns = "default") => new() { Name = name, Namespace = ns };

    private static ImmutableSortedDictionary<string, string> Map(string key, string value) =>
        ImmutableSortedDictionary<string, string>.Empty.Add(key, value);

    public static TheoryData<Case<Input>> ValidMetadata => new()
    {
        new("namespaced pod", new(Named())),
        new("subdomain name", new(Named("web-1.frontend.example"))),
        new("cluster-scoped node", new(Named("node-1", ns: null), Namespaced: false)),
        new("label-named namespace", new(Named("team-a", ns: null), Namespaced: false, NameRule.Dns1123Label)),
        new("generateName with trailing dash", new(Named() with { GenerateName = "web-" })),
        new("63-character label name", new(Named(new string('a', 63), ns: null), Namespaced: false, NameRule.Dns1123Label)),
        new("253-character subdomain name", new(Named(string.Join('.', Enumerable.Repeat(new string('a', 63), 4))[..253]))),
        new("labels", new(Named() with { Labels = Map("app", "web").Add("example.com/tier", "Front_1.x").Add("empty", "") })),
        new("annotation key with capitals", new(Named() with { Annotations = Map("Example.com/Note", "free text: anything") })),
        new("finalizer", new(Named() with { Finalizers = ["example.com/cleanup"] })),
    };

    public static TheoryData<Case<Input>> InvalidMetadata => new()
    {
        new("empty name", new(Named("")), "metadata.name: Required value: name or generateName is required"),
        new("no name but generateName", new(Named(null) with { GenerateName = "web-" }),
            "metadata.name: Required value: name or generateName is required"),
        new("name not a subdomain", new(Named("Web_1")), $"metadata.name: Invalid value: \"Web_1\": {KubernetesText.Subdomain}"),
        new("name literal wording", new(Named("Web_1")),
            "metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')"),
        new("name ending in a dot", new(Named("web.")), $"metadata.name: Invalid value: \"web.\": {KubernetesText.Subdomain}"),
        new("name longer than 253", new(Named(new string('a', 254))),
            $"metadata.name: Invalid value: \"{new string('a', 254)}\": must be no more than 253 characters"),
        new("label rule rejects dots", new(Named("a.b", ns: null), Namespaced: false, NameRule.Dns1123Label),
            $"metadata.name: Invalid value: \"a.b\": {KubernetesText.Label}"),
        new("label rule rejects 64 characters", new(Named(new string('a', 64), ns: null), Namespaced: false, NameRule.Dns1123Label),
            $"metadata.name: Invalid value: \"{new string('a', 64)}\": must be no more than 63 characters"),
        new("generateName invalid", new(Named() with { GenerateName = "Web-" }),
            $"metadata.generateName: Invalid value: \"Web-\": {KubernetesText.Subdomain}"),
        new("generateName a lone dash", new(Named() with { GenerateName = "-" }),
            $"metadata.generateName: Invalid value: \"-\": {KubernetesText.Subdomain}"),
        new("namespace missing", new(Named(ns: null)), "metadata.namespace: Required value"),
        new("namespace not a label", new(Named(ns: "team.a")), $"metadata.namespace: Invalid value: \"team.a\": {KubernetesText.Label}"),
        new("namespace on cluster-scoped kind", new(Named(), Namespaced: false), "metadata.namespace: Forbidden: not allowed on this type"),
        new("label key with a space", new(Named() with { Labels = Map("bad key", "v") }),
            $"metadata.labels: Invalid value: \"bad key\": {KubernetesText.QualifiedName}"),
        new("label key with empty name part", new(Named() with { Labels = Map("example.com/", "v") }),
            "metadata.labels: Invalid value: \"example.com/\": name part must be non-empty",
            $"metadata.labels: Invalid value: \"example.com/\": {KubernetesText.QualifiedName}"),
        new("label key with empty prefix", new(Named() with { Labels = Map("/app", "v") }),
            "metadata.labels: Invalid value: \"/app\": prefix part must be non-empty"),
        new("label key with bad prefix", new(Named() with { Labels = Map("Example_com/app", "v") }),
            $"metadata.labels: Invalid value: \"Example_com/app\": prefix part {KubernetesText.Subdomain}"),
        new("label key with two slashes", new(Named() with { Labels = Map("a/b/c", "v") }),
            $"metadata.labels: Invalid value: \"a/b/c\": {KubernetesText.QualifiedName}"),
        new("label key name part of 64", new(Named() with { Labels = Map(new string('k', 64), "v") }),
            $"metadata.labels: Invalid value: \"{new string('k', 64)}\": name part must be no more than 63 characters"),
        new("label value with a space", new(Named() with { Labels = Map("app", "bad value") }),
            $"metadata.labels: Invalid value: \"bad value\": {KubernetesText.LabelValue}"),
        new("label value of 64", new(Named() with { Labels = Map("app", new string('v', 64)) }),
            $"metadata.labels: Invalid value: \"{new string('v', 64)}\": must be no more than 63 characters"),
        new("annotation key with a space", new(Named() with { Annotations = Map("bad key", "v") }),
            $"metadata.annotations: Invalid value: \"bad key\": {KubernetesText.QualifiedName}"),
        new("finalizer with a space", new(Named() with { Finalizers = ["bad finalizer"] }),
            $"metadata.finalizers: Invalid value: \"bad finalizer\": {KubernetesText.QualifiedName}"),
    };

    [Theory]
    [MemberData(nameof(ValidMetadata))]
    public void Validate_ValidMetadata_ReportsNothing(Case<Input> c) =>
        Assert.Empty(MetadataValidation.Validate(c.Input.Meta, c.Input.Namespaced, c.Input.Rule));

    [Theory]
    [MemberData(nameof(InvalidMetadata))]
    public void Validate_InvalidMetadata_ReportsKubernetesErrors(Case<Input> c) =>
        Assert.Equal(c.Expected, MetadataValidation.Validate(c.Input.Meta, c.Input.Namespaced, c.Input.Rule).Select(e => e.ToString()));

    public static TheoryData<Case<ObjectMeta>> MetadataUpdates => new()
    {
        new("labels and annotations change", Named() with { Labels = Map("app", "web2"), Annotations = Map("note", "x") }),
        new("name changes", Named("other"), "metadata.name: Invalid value: \"other\": field is immutable"),
        new("namespace changes", Named(ns: "team-b"), "metadata.namespace: Invalid value: \"team-b\": field is immutable"),
    };

    [Theory]
    [MemberData(nameof(MetadataUpdates))]
    public void ValidateUpdate_Change_ReportsOnlyImmutableFields(Case<ObjectMeta> c) =>
        Assert.Equal(c.Expected, MetadataValidation.ValidateUpdate(Named(), c.Input).Select(e => e.ToString()));

    [Fact]
    public void Validate_AnnotationsOverTheTotalLimit_AreTooLong()
    {
        var atLimit = Named() with { Annotations = Map("a", new string('x', MetadataValidation.TotalAnnotationSizeLimitBytes - 1)) };
        var overLimit = Named() with { Annotations = Map("a", new string('x', MetadataValidation.TotalAnnotationSizeLimitBytes)) };

        Assert.Empty(MetadataValidation.Validate(atLimit, namespaced: true));
        Assert.Equal(["metadata.annotations: Too long: must have at most 262144 bytes"], MetadataValidation.Validate(overLimit, namespaced: true).Select(e => e.ToString()));
    }
}
