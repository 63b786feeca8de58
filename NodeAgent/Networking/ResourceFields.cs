using System.Globalization;
using Granary.Model;
using Granary.NodeAgent.Pods;

namespace Granary.NodeAgent.Networking;

/// <summary>
/// The downward API's resourceFieldRef (env and downwardAPI volumes): a container's limits and requests, as the
/// kubelet gives them. A limit that is not set is the node's allocatable (kube's MergeContainerResourceLimits); a
/// request that is not set is the limit when one is set (kube's defaulting), else 0. The value is divided by the
/// divisor (default 1) and rounded up. Pure.
/// </summary>
public static class ResourceFields
{
    public const string Supported = "limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory, requests.ephemeral-storage";

    public static string Resolve(ResourceFieldSelector field, Pod pod, Container? current, IReadOnlyDictionary<string, Quantity> allocatable)
    {
        var container = string.IsNullOrEmpty(field.ContainerName)
            ? current
            : PodReferences.AllContainers(pod.Spec).FirstOrDefault(c => c.Name == field.ContainerName);
        if (container is null)
            throw new ContainerConfigException(string.IsNullOrEmpty(field.ContainerName)
                ? $"resourceFieldRef {field.Resource}: containerName is required"
                : $"resourceFieldRef {field.Resource}: no container named \"{field.ContainerName}\" in the pod");

        var dot = field.Resource.IndexOf('.', StringComparison.Ordinal);
        var (kind, resource) = dot > 0 ? (field.Resource[..dot], field.Resource[(dot + 1)..]) : ("", field.Resource);
        if (kind is not ("limits" or "requests") || resource is not ("cpu" or "memory" or "ephemeral-storage"))
            throw new ContainerConfigException($"unsupported container resource : {field.Resource} (supported: {Supported})");

        var limits = container.Resources?.Limits;
        var requests = container.Resources?.Requests;
        var limit = limits?.GetValueOrDefault(resource) is { Text: not null } l ? l : allocatable.GetValueOrDefault(resource);
        var value = kind == "limits"
            ? limit
            : requests?.GetValueOrDefault(resource) is { Text: not null } r ? r
            : limits?.GetValueOrDefault(resource) is { Text: not null } specLimit ? specLimit
            : new Quantity("0");

        var divisor = field.Divisor is { Text: not null } d && d.Amount != 0 ? d : new Quantity("1");
        var result = resource == "cpu"
            ? Math.Ceiling((decimal)value.MilliValue / divisor.MilliValue)
            : Math.Ceiling((decimal)value.Value / divisor.Value);
        return ((long)result).ToString(CultureInfo.InvariantCulture);
    }
}
