using System.Collections;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// The <c>required</c> lists of Kubernetes 1.32's published OpenAPI (api/openapi-spec/v3) for the types Granary serves,
/// checked on the official client's models. The KubernetesClient models no longer carry a Validate() of their own,
/// so the lists are written out here; a client built from the OpenAPI (Java, Go's typed clients, many others)
/// refuses an object missing one of these.
/// </summary>
internal static class OpenApiRequiredFields
{
    private static readonly Dictionary<string, string[]> Required = new(StringComparer.Ordinal)
    {
        ["V1OwnerReference"] = ["apiVersion", "kind", "name", "uid"],
        // Pod spec.
        ["V1PodSpec"] = ["containers"],
        ["V1Container"] = ["name"],
        ["V1EphemeralContainer"] = ["name"],
        ["V1ContainerPort"] = ["containerPort"],
        ["V1EnvVar"] = ["name"],
        ["V1ConfigMapKeySelector"] = ["key"],
        ["V1SecretKeySelector"] = ["key"],
        ["V1ObjectFieldSelector"] = ["fieldPath"],
        ["V1ResourceFieldSelector"] = ["resource"],
        ["V1VolumeMount"] = ["mountPath", "name"],
        ["V1VolumeDevice"] = ["devicePath", "name"],
        ["V1HTTPGetAction"] = ["port"],
        ["V1HTTPHeader"] = ["name", "value"],
        ["V1TCPSocketAction"] = ["port"],
        ["V1GRPCAction"] = ["port"],
        ["V1SleepAction"] = ["seconds"],
        ["Corev1ResourceClaim"] = ["name"],
        ["V1ContainerResizePolicy"] = ["resourceName", "restartPolicy"],
        ["V1SeccompProfile"] = ["type"],
        ["V1AppArmorProfile"] = ["type"],
        ["V1Volume"] = ["name"],
        ["V1HostPathVolumeSource"] = ["path"],
        ["V1KeyToPath"] = ["key", "path"],
        ["V1PersistentVolumeClaimVolumeSource"] = ["claimName"],
        ["V1DownwardAPIVolumeFile"] = ["path"],
        ["V1ServiceAccountTokenProjection"] = ["path"],
        ["V1ClusterTrustBundleProjection"] = ["path"],
        ["V1Sysctl"] = ["name", "value"],
        ["V1HostAlias"] = ["ip"],
        ["V1PodReadinessGate"] = ["conditionType"],
        ["V1TopologySpreadConstraint"] = ["maxSkew", "topologyKey", "whenUnsatisfiable"],
        ["V1PodOS"] = ["name"],
        ["V1PodSchedulingGate"] = ["name"],
        ["V1PodResourceClaim"] = ["name"],
        ["V1NodeSelector"] = ["nodeSelectorTerms"],
        ["V1NodeSelectorRequirement"] = ["key", "operator"],
        ["V1PreferredSchedulingTerm"] = ["preference", "weight"],
        ["V1PodAffinityTerm"] = ["topologyKey"],
        ["V1WeightedPodAffinityTerm"] = ["podAffinityTerm", "weight"],
        ["V1LabelSelectorRequirement"] = ["key", "operator"],
        // Pod status.
        ["V1PodCondition"] = ["status", "type"],
        ["V1PodIP"] = ["ip"],
        ["V1HostIP"] = ["ip"],
        ["V1ContainerStatus"] = ["image", "imageID", "name", "ready", "restartCount"],
        ["V1ContainerStateTerminated"] = ["exitCode"],
        ["V1VolumeMountStatus"] = ["mountPath", "name"],
        ["V1LinuxContainerUser"] = ["gid", "uid"],
        ["V1ResourceStatus"] = ["name"],
        ["V1ResourceHealth"] = ["resourceID"],
        ["V1PodResourceClaimStatus"] = ["name"],
        // Nodes.
        ["V1Taint"] = ["effect", "key"],
        ["V1NodeCondition"] = ["status", "type"],
        ["V1NodeAddress"] = ["address", "type"],
        ["V1NodeSystemInfo"] =
        [
            "architecture", "bootID", "containerRuntimeVersion", "kernelVersion", "kubeProxyVersion", "kubeletVersion",
            "machineID", "operatingSystem", "osImage", "systemUUID",
        ],
        ["V1DaemonEndpoint"] = ["Port"],
        // Services and their endpoints.
        ["V1ServicePort"] = ["port"],
        ["V1EndpointAddress"] = ["ip"],
        ["Corev1EndpointPort"] = ["port"],
        ["V1EndpointSlice"] = ["addressType", "endpoints"],
        ["V1Endpoint"] = ["addresses"],
        // Events and workloads.
        ["Corev1Event"] = ["involvedObject", "metadata"],
        ["V1ReplicaSetSpec"] = ["selector"],
        ["V1ReplicaSetStatus"] = ["replicas"],
        ["V1ReplicaSetCondition"] = ["status", "type"],
        ["V1DeploymentSpec"] = ["selector", "template"],
        ["V1DeploymentCondition"] = ["status", "type"],
        // Storage.
        ["V1StorageClass"] = ["provisioner"],
        ["V1PersistentVolumeClaimCondition"] = ["status", "type"],
        ["V1TypedLocalObjectReference"] = ["kind", "name"],
        ["V1LocalVolumeSource"] = ["path"],
    };

    /// <summary>Every required field left null anywhere in <paramref name="model"/>, as "path: Type.field".</summary>
    public static List<string> Missing(object? model, string path)
    {
        var missing = new List<string>();
        Walk(model, path, missing);
        return missing;
    }

    private static void Walk(object? value, string path, List<string> missing)
    {
        switch (value)
        {
            case null or string or ValueType:
                return;
            case IDictionary map:
                foreach (DictionaryEntry entry in map)
                    Walk(entry.Value, $"{path}[{entry.Key}]", missing);
                return;
            case IEnumerable list:
                var i = 0;
                foreach (var item in list)
                    Walk(item, $"{path}[{i++}]", missing);
                return;
        }
        var type = value.GetType();
        if (type.Namespace != "k8s.Models")
            return;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name))
            .ToList();
        foreach (var name in Required.GetValueOrDefault(type.Name) ?? [])
        {
            var property = properties.FirstOrDefault(p => p.Name == name).Property
                ?? throw new InvalidOperationException($"{type.Name} has no property \"{name}\": the required list is wrong");
            if (property.GetValue(value) is null)
                missing.Add($"{path}.{name}: {type.Name}.{name} is required");
        }
        foreach (var (property, name) in properties)
            Walk(property.GetValue(value), $"{path}.{name}", missing);
    }
}
