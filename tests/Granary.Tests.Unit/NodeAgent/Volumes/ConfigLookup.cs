using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Volumes;

namespace Granary.Tests.Unit.NodeAgent.Volumes;

/// <summary>A fixed set of ConfigMaps and Secrets in namespace "default"; "unread" names throw as the cache does before a read.</summary>
public sealed class ConfigLookup : IPodConfigLookup
{
    public Dictionary<string, ConfigMap> ConfigMaps { get; } = [];
    public Dictionary<string, Secret> Secrets { get; } = [];
    public HashSet<string> Unread { get; } = [];

    public ConfigLookup WithConfigMap(string name, params (string Key, string Value)[] data)
    {
        ConfigMaps[name] = new ConfigMap
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default" },
            Data = data.ToImmutableSortedDictionary(d => d.Key, d => d.Value),
        };
        return this;
    }

    public ConfigLookup WithSecret(string name, params (string Key, string Value)[] data)
    {
        Secrets[name] = new Secret
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default" },
            Data = data.ToImmutableSortedDictionary(d => d.Key, d => Bytes.FromUtf8(d.Value)),
        };
        return this;
    }

    public ConfigMap? ConfigMap(string @namespace, string name) =>
        Unread.Contains(name) ? throw new ContainerConfigException($"couldn't get configMap {@namespace}/{name}") : ConfigMaps.GetValueOrDefault(name);

    public Secret? Secret(string @namespace, string name) =>
        Unread.Contains(name) ? throw new ContainerConfigException($"couldn't get secret {@namespace}/{name}") : Secrets.GetValueOrDefault(name);
}
