using Granary.Model;
using Granary.NodeAgent.Pods;

namespace Granary.NodeAgent.Networking;

/// <summary>
/// The downward API for environment variables (env[].valueFrom.fieldRef): the pod's own fields, as the kubelet
/// resolves them. Pure.
/// </summary>
public static class DownwardApi
{
    public const string Supported =
        "metadata.name, metadata.namespace, metadata.uid, metadata.labels['<key>'], metadata.annotations['<key>'], "
        + "spec.nodeName, spec.serviceAccountName, status.podIP, status.podIPs, status.hostIP, status.hostIPs";

    private const string LabelsPrefix = "metadata.labels['";
    private const string AnnotationsPrefix = "metadata.annotations['";

    /// <summary>
    /// The value of <paramref name="field"/> for <paramref name="pod"/>. A label or annotation the pod lacks is
    /// empty, as in Kubernetes. Throws <see cref="DownwardApiException"/> for a path or apiVersion it does not
    /// support; the message is meant for the container's CreateContainerConfigError.
    /// </summary>
    public static string Resolve(ObjectFieldSelector field, Pod pod, string podIp, string hostIp)
    {
        if (field.ApiVersion is { Length: > 0 } version && version != "v1")
            throw new DownwardApiException($"unsupported apiVersion \"{version}\" in fieldRef {field.FieldPath}: only v1 is supported");

        var path = field.FieldPath;
        if (Subscript(path, LabelsPrefix) is { } label)
            return pod.Metadata.Labels?.GetValueOrDefault(label) ?? "";
        if (Subscript(path, AnnotationsPrefix) is { } annotation)
            return pod.Metadata.Annotations?.GetValueOrDefault(annotation) ?? "";

        return path switch
        {
            "metadata.name" => pod.Metadata.Name ?? "",
            "metadata.namespace" => pod.Metadata.Namespace ?? "",
            "metadata.uid" => pod.Metadata.Uid ?? "",
            "spec.nodeName" => pod.Spec.NodeName ?? "",
            // As written: there is no ServiceAccount admission yet to default it to "default".
            "spec.serviceAccountName" => pod.Spec.ServiceAccountName ?? "",
            // One address per family: the lists are the single address.
            "status.podIP" or "status.podIPs" => podIp,
            "status.hostIP" or "status.hostIPs" => hostIp,
            _ => throw new DownwardApiException($"unsupported fieldPath: {path} (supported: {Supported})"),
        };
    }

    /// <summary>The key of "prefix'key']", or null when <paramref name="path"/> is not of that shape.</summary>
    private static string? Subscript(string path, string prefix) =>
        path.Length > prefix.Length + 2 && path.StartsWith(prefix, StringComparison.Ordinal) && path.EndsWith("']", StringComparison.Ordinal)
            ? path[prefix.Length..^2]
            : null;
}

/// <summary>A fieldRef the agent cannot resolve; the container cannot be created as specified.</summary>
public sealed class DownwardApiException(string message) : ContainerConfigException(message);
