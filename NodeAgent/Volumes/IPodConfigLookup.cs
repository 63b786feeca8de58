using Granary.Model;
using Granary.NodeAgent.Pods;

namespace Granary.NodeAgent.Volumes;

/// <summary>The ConfigMaps and Secrets the agent holds for its pods (<see cref="PodConfigCache"/>), as the pure resolvers see them.</summary>
public interface IPodConfigLookup
{
    /// <summary>The ConfigMap, or null when it does not exist; throws <see cref="ContainerConfigException"/> when it could not be read yet.</summary>
    ConfigMap? ConfigMap(string @namespace, string name);

    /// <summary>The Secret, or null when it does not exist; throws <see cref="ContainerConfigException"/> when it could not be read yet.</summary>
    Secret? Secret(string @namespace, string name);
}

/// <summary>Kube's words for what is missing (the kubelet's configmap and secret managers, and its env and volume code).</summary>
public static class ConfigMessages
{
    public static string ConfigMapNotFound(string name) => $"configmap \"{name}\" not found";

    public static string SecretNotFound(string name) => $"secret \"{name}\" not found";

    public static string ConfigMapKeyNotFound(string key, string @namespace, string name) => $"couldn't find key {key} in ConfigMap {@namespace}/{name}";

    public static string SecretKeyNotFound(string key, string @namespace, string name) => $"couldn't find key {key} in Secret {@namespace}/{name}";
}
