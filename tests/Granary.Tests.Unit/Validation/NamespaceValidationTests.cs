using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class NamespaceValidationTests
{
    private static Case<Namespace> Row(string name, ObjectMeta meta, NamespaceSpec? spec, params string[] expected) =>
        new(name, new() { Metadata = meta, Spec = spec }, expected);

    public static TheoryData<Case<Namespace>> Namespaces => new()
    {
        Row("valid", new() { Name = "team-a" }, null),
        Row("built-in", new() { Name = "kube-system" }, new() { Finalizers = ["kubernetes"] }),
        Row("qualified finalizer", new() { Name = "team-a" }, new() { Finalizers = ["example.com/cleanup"] }),
        Row("no name", new(), null, "metadata.name: Required value: name or generateName is required"),
        Row("name with a dot", new() { Name = "team.a" }, null, $"metadata.name: Invalid value: \"team.a\": {KubernetesText.Label}"),
        Row("name in capitals", new() { Name = "Team" }, null,
            "metadata.name: Invalid value: \"Team\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')"),
        Row("namespace set", new() { Name = "team-a", Namespace = "default" }, null, "metadata.namespace: Forbidden: not allowed on this type"),
        Row("unqualified finalizer", new() { Name = "team-a" }, new() { Finalizers = ["cleanup"] },
            "spec.finalizers: Invalid value: \"cleanup\": name is neither a standard finalizer name nor is it fully qualified"),
        Row("finalizer with a space", new() { Name = "team-a" }, new() { Finalizers = ["bad finalizer"] },
            $"spec.finalizers: Invalid value: \"bad finalizer\": {KubernetesText.QualifiedName}"),
    };

    [Theory]
    [MemberData(nameof(Namespaces))]
    public void Validate_Namespace_ReportsKubernetesErrors(Case<Namespace> c) =>
        Assert.Equal(c.Expected, NamespaceValidation.Validate(c.Input).Select(e => e.ToString()));
}
