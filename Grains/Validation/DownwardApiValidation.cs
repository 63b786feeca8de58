using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Pod fields and container resources read through the downward API, in environment variables and in volume files
/// (kube's validateObjectFieldSelector and validateContainerResourceFieldSelector).
/// </summary>
public static class DownwardApiValidation
{
    /// <summary>The pod fields an environment variable may hold (labels and annotations only by key).</summary>
    public static readonly ImmutableArray<string> EnvFieldPaths =
    [
        "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid",
        "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
    ];

    /// <summary>The pod fields a downward API volume file may hold.</summary>
    public static readonly ImmutableArray<string> VolumeFieldPaths =
        ["metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"];

    // Every field path kube's ConvertDownwardAPIFieldLabel knows; the others fail to convert.
    private static readonly ImmutableHashSet<string> KnownFieldPaths =
    [
        "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
        "spec.restartPolicy", "spec.serviceAccountName", "spec.schedulerName", "status.phase", "status.hostIP",
        "status.hostIPs", "status.podIP", "status.podIPs",
    ];

    public static readonly ImmutableArray<string> ResourcePaths =
        ["limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"];

    private static readonly ImmutableHashSet<string> CpuDivisors = ["1m", "1"];
    private static readonly ImmutableArray<string> ByteDivisors =
        ["1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"];

    public static IEnumerable<FieldError> FieldRef(ObjectFieldSelector selector, ImmutableArray<string> allowed, string field)
    {
        if (selector.FieldPath.Length == 0)
        {
            yield return FieldError.Required($"{field}.fieldPath");
            yield break;
        }
        var (path, subscript) = Split(selector.FieldPath);
        // Unset is v1 (see PodDefaults).
        var conversionError = selector.ApiVersion is not (null or "" or "v1") ? $"unsupported pod version: {selector.ApiVersion}"
            : subscript is not null && path is not ("metadata.annotations" or "metadata.labels") ? $"field label does not support subscript: {selector.FieldPath}"
            : subscript is null && !KnownFieldPaths.Contains(path) && path != "spec.host" ? $"field label not supported: {selector.FieldPath}"
            : null;
        if (conversionError is not null)
        {
            yield return FieldError.Invalid($"{field}.fieldPath", selector.FieldPath, $"error converting fieldPath: {conversionError}");
            yield break;
        }
        // spec.host is the old name of spec.nodeName, still converted by kube for old clients.
        path = path == "spec.host" ? "spec.nodeName" : path;
        if (subscript is not null)
        {
            // An annotation key is checked in lower case, as kube does (annotation keys are case-insensitive there).
            foreach (var error in SyntaxValidation.QualifiedName(path == "metadata.annotations" ? subscript.ToLowerInvariant() : subscript, field))
                yield return error;
        }
        else if (!allowed.Contains(path))
        {
            yield return FieldError.Unsupported($"{field}.fieldPath", path, allowed);
        }
    }

    /// <summary>A container resource by name; in a volume file the container must be named.</summary>
    public static IEnumerable<FieldError> ResourceFieldRef(ResourceFieldSelector selector, string field, bool volume)
    {
        if (volume && string.IsNullOrEmpty(selector.ContainerName))
            yield return FieldError.Required($"{field}.containerName");
        if (selector.Resource.Length == 0)
            yield return FieldError.Required($"{field}.resource");
        else if (!ResourcePaths.Contains(selector.Resource) && !IsHugePages(selector.Resource))
            yield return FieldError.Unsupported($"{field}.resource", selector.Resource, ResourcePaths);
        else if (selector.Divisor is { } divisor && Divisor(selector.Resource, divisor.Text) is { } message)
            yield return FieldError.Invalid($"{field}.divisor", divisor.Text, message);
    }

    /// <summary>One file of a downward API volume or projection: a relative path and exactly one of its two sources.</summary>
    public static IEnumerable<FieldError> File(DownwardAPIVolumeFile file, string field)
    {
        // kube reports the files of a downward API volume on the volume's own path, without an index.
        if (file.Path.Length == 0)
            yield return FieldError.Required($"{field}.path");
        foreach (var error in VolumeValidation.LocalNonReservedPath(file.Path, $"{field}.path"))
            yield return error;
        if (file.FieldRef is { } fieldRef)
        {
            foreach (var error in FieldRef(fieldRef, VolumeFieldPaths, $"{field}.fieldRef"))
                yield return error;
            if (file.ResourceFieldRef is not null)
                yield return FieldError.Invalid(field, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously");
        }
        else if (file.ResourceFieldRef is { } resourceFieldRef)
        {
            foreach (var error in ResourceFieldRef(resourceFieldRef, $"{field}.resourceFieldRef", volume: true))
                yield return error;
        }
        else
        {
            yield return FieldError.Required(field) with { Detail = "one of fieldRef and resourceFieldRef is required" };
        }
        foreach (var error in VolumeValidation.Mode(file.Mode, $"{field}.mode"))
            yield return error;
    }

    private static bool IsHugePages(string resource) =>
        resource.StartsWith("limits.hugepages-", StringComparison.Ordinal) || resource.StartsWith("requests.hugepages-", StringComparison.Ordinal);

    // "0" is kube's unset divisor.
    private static string? Divisor(string resource, string divisor)
    {
        if (divisor == "0")
            return null;
        if (resource.EndsWith(".cpu", StringComparison.Ordinal))
            return CpuDivisors.Contains(divisor) ? null : "only divisor's values 1m and 1 are supported with the cpu resource";
        if (resource.EndsWith(".memory", StringComparison.Ordinal) || resource.EndsWith(".ephemeral-storage", StringComparison.Ordinal) || IsHugePages(resource))
            return ByteDivisors.Contains(divisor) ? null
                : $"only divisor's values {string.Join(", ", ByteDivisors)} are supported with the {resource[(resource.IndexOf('.') + 1)..]} resource";
        return null;
    }

    // "metadata.labels['app']" is the path "metadata.labels" with the subscript "app".
    private static (string Path, string? Subscript) Split(string fieldPath)
    {
        if (!fieldPath.EndsWith("']", StringComparison.Ordinal))
            return (fieldPath, null);
        var open = fieldPath.IndexOf("['", StringComparison.Ordinal);
        return open <= 0 ? (fieldPath, null) : (fieldPath[..open], fieldPath[(open + 2)..^2]);
    }
}
