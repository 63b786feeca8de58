using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Networking;
using Granary.NodeAgent.Volumes;

namespace Granary.NodeAgent.Pods;

/// <summary>envFrom keys that are not valid variable names, skipped (the kubelet's InvalidEnvironmentVariableNames).</summary>
public sealed record SkippedEnvKeys(string Kind, string Namespace, string Name, IReadOnlyList<string> Keys)
{
    public string Message => $"Keys [{string.Join(", ", Keys)}] from the EnvFrom {Kind} {Namespace}/{Name} were skipped since they are considered invalid environment variable names.";
}

/// <summary>A container's environment, in the order the kubelet builds it, and what was skipped.</summary>
public sealed record ResolvedEnvironment(IReadOnlyDictionary<string, string> Variables, IReadOnlyList<SkippedEnvKeys> Skipped);

/// <summary>
/// The kubelet's makeEnvironmentVariables: POD_IP (Granary's own), the service variables, then every envFrom source in order (with its prefix;
/// invalid names skipped), then every env entry in order, later entries winning. An env value may refer to variables
/// defined before it as <c>$(NAME)</c>; values from valueFrom are taken as they are. A missing ConfigMap, Secret or
/// key fails with kube's message unless the reference is optional. Pure; never puts a value in a message.
/// </summary>
public static class ContainerEnvironment
{
    public static ResolvedEnvironment Resolve(Pod pod, Container container, string podIp, string hostIp, IPodConfigLookup config,
        IReadOnlyDictionary<string, Quantity> allocatable, IReadOnlyList<KeyValuePair<string, string>>? serviceVariables = null)
    {
        var ns = pod.Metadata.Namespace ?? "default";
        var env = new Dictionary<string, string>(StringComparer.Ordinal) { ["POD_IP"] = podIp };
        foreach (var (name, value) in serviceVariables ?? [])
            env[name] = value;
        var skipped = new List<SkippedEnvKeys>();

        foreach (var from in container.EnvFrom ?? [])
        {
            if (from.ConfigMapRef is { Name: { } cmName } cmRef)
            {
                var configMap = config.ConfigMap(ns, cmName);
                if (configMap is null)
                {
                    if (cmRef.Optional == true)
                        continue;
                    throw new ContainerConfigException(ConfigMessages.ConfigMapNotFound(cmName));
                }
                var entries = (configMap.Data ?? ImmutableSortedDictionary<string, string>.Empty).Select(d => (d.Key, d.Value))
                    .Concat((configMap.BinaryData ?? ImmutableSortedDictionary<string, Bytes>.Empty).Select(d => (d.Key, d.Value.ToUtf8())));
                AddAll(env, entries, from.Prefix, "configMap", ns, cmName, skipped);
            }
            else if (from.SecretRef is { Name: { } secretName } secretRef)
            {
                var secret = config.Secret(ns, secretName);
                if (secret is null)
                {
                    if (secretRef.Optional == true)
                        continue;
                    throw new ContainerConfigException(ConfigMessages.SecretNotFound(secretName));
                }
                AddAll(env, (secret.Data ?? ImmutableSortedDictionary<string, Bytes>.Empty).Select(d => (d.Key, d.Value.ToUtf8())), from.Prefix, "secret", ns, secretName, skipped);
            }
        }

        foreach (var e in container.Env ?? [])
        {
            if (!string.IsNullOrEmpty(e.Value))
            {
                env[e.Name] = EnvExpansion.Expand(e.Value, env);
                continue;
            }
            if (e.ValueFrom is not { } from)
            {
                env[e.Name] = "";
                continue;
            }
            if (from.FieldRef is { } field)
                env[e.Name] = DownwardApi.Resolve(field, pod, podIp, hostIp);
            else if (from.ResourceFieldRef is { } resource)
                env[e.Name] = ResourceFields.Resolve(resource, pod, container, allocatable);
            else if (from.ConfigMapKeyRef is { Name: { } cmName } cmKey)
            {
                var configMap = config.ConfigMap(ns, cmName);
                if (configMap is null)
                {
                    if (cmKey.Optional == true)
                        continue;
                    throw new ContainerConfigException(ConfigMessages.ConfigMapNotFound(cmName));
                }
                if (configMap.Data?.GetValueOrDefault(cmKey.Key) is { } text)
                    env[e.Name] = text;
                else if (configMap.BinaryData?.TryGetValue(cmKey.Key, out var binary) == true)
                    env[e.Name] = binary.ToUtf8();
                else if (cmKey.Optional != true)
                    throw new ContainerConfigException(ConfigMessages.ConfigMapKeyNotFound(cmKey.Key, ns, cmName));
            }
            else if (from.SecretKeyRef is { Name: { } secretName } secretKey)
            {
                var secret = config.Secret(ns, secretName);
                if (secret is null)
                {
                    if (secretKey.Optional == true)
                        continue;
                    throw new ContainerConfigException(ConfigMessages.SecretNotFound(secretName));
                }
                if (secret.Data?.TryGetValue(secretKey.Key, out var value) == true)
                    env[e.Name] = value.ToUtf8();
                else if (secretKey.Optional != true)
                    throw new ContainerConfigException(ConfigMessages.SecretKeyNotFound(secretKey.Key, ns, secretName));
            }
        }
        return new ResolvedEnvironment(env, skipped);
    }

    private static void AddAll(Dictionary<string, string> env, IEnumerable<(string Key, string Value)> entries, string? prefix, string kind,
        string ns, string name, List<SkippedEnvKeys> skipped)
    {
        var invalid = new List<string>();
        foreach (var (key, value) in entries)
        {
            var variable = (prefix ?? "") + key;
            if (!EnvExpansion.IsEnvVarName(variable))
            {
                invalid.Add(variable);
                continue;
            }
            env[variable] = value;
        }
        if (invalid.Count > 0)
            skipped.Add(new SkippedEnvKeys(kind, ns, name, [.. invalid.Order(StringComparer.Ordinal)]));
    }
}
