using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Kubernetes' namespace rules: the name is a DNS label, and a namespace lives in no namespace.</summary>
public static class NamespaceValidation
{
    /// <summary>The finalizer Kubernetes puts on every namespace, the only one allowed without a domain.</summary>
    public const string KubernetesFinalizer = "kubernetes";

    public static ImmutableList<FieldError> Validate(Namespace ns) =>
    [
        .. MetadataValidation.Validate(ns.Metadata, namespaced: false, NameRule.Dns1123Label),
        .. (ns.Spec?.Finalizers ?? []).SelectMany(f => Finalizer(f, "spec.finalizers")),
    ];

    private static IEnumerable<FieldError> Finalizer(string name, string field)
    {
        var errors = SyntaxValidation.QualifiedName(name, field).ToList();
        if (errors.Count == 0 && !name.Contains('/') && name != KubernetesFinalizer)
            errors.Add(FieldError.Invalid(field, name, "name is neither a standard finalizer name nor is it fully qualified"));
        return errors;
    }
}
