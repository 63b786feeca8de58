using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>The syntax a kind requires of its object names.</summary>
public enum NameRule
{
    /// <summary>Pods, nodes and most kinds.</summary>
    Dns1123Subdomain,

    /// <summary>Namespaces, whose names appear inside DNS names as a single label.</summary>
    Dns1123Label,

    /// <summary>Services, whose names become DNS labels that must start with a letter.</summary>
    Dns1035Label,

    /// <summary>RBAC kinds, whose names only have to fit in a URL path segment ("system:basic-user").</summary>
    PathSegment,
}

/// <summary>Kubernetes' ObjectMeta rules: name, namespace, labels, annotations and finalizers.</summary>
public static class MetadataValidation
{
    /// <summary>kube's TotalAnnotationSizeLimitB: the keys and values of an object's annotations together, in bytes.</summary>
    public const int TotalAnnotationSizeLimitBytes = 256 * 1024;

    public static IEnumerable<FieldError> Validate(ObjectMeta meta, bool namespaced, NameRule nameRule = NameRule.Dns1123Subdomain)
    {
        if (!string.IsNullOrEmpty(meta.GenerateName))
        {
            // A prefix may end in '-', since random characters follow it.
            var prefix = meta.GenerateName is { Length: > 1 } g && g.EndsWith('-') ? meta.GenerateName[..^1] + "a" : meta.GenerateName;
            foreach (var message in NameMessages(prefix, nameRule))
                yield return FieldError.Invalid("metadata.generateName", meta.GenerateName, message);
        }

        if (string.IsNullOrEmpty(meta.Name))
            yield return FieldError.Required("metadata.name") with { Detail = "name or generateName is required" };
        else
            foreach (var message in NameMessages(meta.Name, nameRule))
                yield return FieldError.Invalid("metadata.name", meta.Name, message);

        if (namespaced)
        {
            if (string.IsNullOrEmpty(meta.Namespace))
                yield return FieldError.Required("metadata.namespace");
            else
                foreach (var error in SyntaxValidation.Dns1123Label(meta.Namespace, "metadata.namespace"))
                    yield return error;
        }
        else if (!string.IsNullOrEmpty(meta.Namespace))
        {
            yield return FieldError.Forbidden("metadata.namespace", "not allowed on this type");
        }

        foreach (var error in SyntaxValidation.Labels(meta.Labels, "metadata.labels"))
            yield return error;

        // Annotation keys are checked case-insensitively; values are free text.
        foreach (var key in meta.Annotations?.Keys ?? [])
            foreach (var message in SyntaxValidation.QualifiedNameMessages(key.ToLowerInvariant()))
                yield return FieldError.Invalid("metadata.annotations", key, message);

        if (AnnotationBytes(meta) > TotalAnnotationSizeLimitBytes)
            yield return FieldError.TooLong("metadata.annotations", TotalAnnotationSizeLimitBytes);

        foreach (var finalizer in meta.Finalizers ?? [])
            foreach (var error in SyntaxValidation.QualifiedName(finalizer, "metadata.finalizers"))
                yield return error;
    }

    /// <summary>Name and namespace are the object's key, so an update may not change them.</summary>
    public static IEnumerable<FieldError> ValidateUpdate(ObjectMeta old, ObjectMeta updated)
    {
        if (updated.Name != old.Name)
            yield return FieldError.Invalid("metadata.name", updated.Name ?? "", ValidationMessages.Immutable);
        if (updated.Namespace != old.Namespace)
            yield return FieldError.Invalid("metadata.namespace", updated.Namespace ?? "", ValidationMessages.Immutable);
    }

    private static long AnnotationBytes(ObjectMeta meta) =>
        meta.Annotations?.Sum(a => (long)System.Text.Encoding.UTF8.GetByteCount(a.Key) + System.Text.Encoding.UTF8.GetByteCount(a.Value ?? "")) ?? 0;

    private static IEnumerable<string> NameMessages(string name, NameRule rule) =>
        rule switch
        {
            NameRule.Dns1123Label => SyntaxValidation.Dns1123LabelMessages(name),
            NameRule.Dns1035Label => SyntaxValidation.Dns1035LabelMessages(name),
            NameRule.PathSegment => PathSegmentMessages(name),
            _ => SyntaxValidation.Dns1123SubdomainMessages(name),
        };

    /// <summary>Kubernetes' ValidatePathSegmentName: anything that is one path segment.</summary>
    public static IEnumerable<string> PathSegmentMessages(string name)
    {
        if (name is "." or "..")
            yield return $"may not be '{name}'";
        foreach (var illegal in new[] { "/", "%" })
            if (name.Contains(illegal, StringComparison.Ordinal))
                yield return $"may not contain '{illegal}'";
    }
}
