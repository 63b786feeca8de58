using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Granary.Model;
using Granary.NodeAgent.Networking;

namespace Granary.NodeAgent.Volumes;

/// <summary>
/// The files of configMap, secret, downwardAPI and projected volumes (the kubelet's MakePayload and
/// CollectData): every key as a file unless <c>items</c> chooses keys and paths; modes from <c>mode</c>, else
/// <c>defaultMode</c>, else 0644. A missing object or key fails with kube's message unless optional. Pure.
/// </summary>
public static class VolumePayloads
{
    public const int DefaultMode = 0b110_100_100; // 0644, kube's default for these volumes

    public static Dictionary<string, FileProjection> ConfigMap(ConfigMapVolumeSource source, string ns, IPodConfigLookup config) =>
        ConfigMap(source.Name ?? "", source.Items, source.DefaultMode ?? DefaultMode, source.Optional == true, ns, config);

    public static Dictionary<string, FileProjection> Secret(SecretVolumeSource source, string ns, IPodConfigLookup config) =>
        Secret(source.SecretName ?? "", source.Items, source.DefaultMode ?? DefaultMode, source.Optional == true, ns, config);

    public static Dictionary<string, FileProjection> DownwardApi(IEnumerable<DownwardAPIVolumeFile> items, int defaultMode, Pod pod, string podIp,
        string hostIp, IReadOnlyDictionary<string, Quantity> allocatable)
    {
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            string value;
            if (item.FieldRef is { } field)
            {
                value = field.FieldPath switch
                {
                    "metadata.labels" => FormatMap(pod.Metadata.Labels),
                    "metadata.annotations" => FormatMap(pod.Metadata.Annotations),
                    _ => Networking.DownwardApi.Resolve(field, pod, podIp, hostIp),
                };
            }
            else if (item.ResourceFieldRef is { } resource)
            {
                value = ResourceFields.Resolve(resource, pod, current: null, allocatable);
            }
            else
            {
                continue;
            }
            payload[item.Path] = new FileProjection(Encoding.UTF8.GetBytes(value), item.Mode ?? defaultMode);
        }
        return payload;
    }

    /// <summary>
    /// The sources of a projected volume merged into one directory, in order (a later source's path wins).
    /// serviceAccountToken sources take their token from <paramref name="tokens"/> (by path), fetched beforehand by the
    /// <see cref="ServiceAccountTokenManager"/>.
    /// </summary>
    public static Dictionary<string, FileProjection> Projected(ProjectedVolumeSource source, Pod pod, string podIp, string hostIp, IPodConfigLookup config,
        IReadOnlyDictionary<string, Quantity> allocatable, IReadOnlyDictionary<string, byte[]>? tokens = null)
    {
        var ns = pod.Metadata.Namespace ?? "default";
        var mode = source.DefaultMode ?? DefaultMode;
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        foreach (var projection in source.Sources ?? [])
        {
            var part = projection switch
            {
                { ConfigMap: { } cm } => ConfigMap(cm.Name ?? "", cm.Items, mode, cm.Optional == true, ns, config),
                { Secret: { } secret } => Secret(secret.Name ?? "", secret.Items, mode, secret.Optional == true, ns, config),
                { DownwardAPI: { } downward } => DownwardApi(downward.Items ?? [], mode, pod, podIp, hostIp, allocatable),
                { ServiceAccountToken: { } token } => tokens?.GetValueOrDefault(token.Path) is { } bytes
                    ? new Dictionary<string, FileProjection>(StringComparer.Ordinal) { [token.Path] = new FileProjection(bytes, mode) }
                    : throw new VolumeMountException($"the token of the serviceAccountToken projection \"{token.Path}\" was not fetched from the control plane"),
                { ClusterTrustBundle: { } bundle } => throw new VolumeMountException(
                    $"clusterTrustBundle projection of \"{bundle.Path}\" is not available: Granary does not serve ClusterTrustBundles"),
                _ => [],
            };
            foreach (var (path, file) in part)
                payload[path] = file;
        }
        return payload;
    }

    private static Dictionary<string, FileProjection> ConfigMap(string name, IReadOnlyList<KeyToPath>? items, int defaultMode, bool optional, string ns,
        IPodConfigLookup config)
    {
        var configMap = config.ConfigMap(ns, name);
        if (configMap is null)
            return optional ? [] : throw new VolumeMountException(ConfigMessages.ConfigMapNotFound(name));
        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, text) in configMap.Data ?? ImmutableSortedDictionary<string, string>.Empty)
            values[key] = Encoding.UTF8.GetBytes(text);
        foreach (var (key, bytes) in configMap.BinaryData ?? ImmutableSortedDictionary<string, Bytes>.Empty)
            values[key] = [.. bytes.Value];
        return Project(values, items, defaultMode, optional, key => $"configmap references non-existent config key: {key}");
    }

    private static Dictionary<string, FileProjection> Secret(string name, IReadOnlyList<KeyToPath>? items, int defaultMode, bool optional, string ns,
        IPodConfigLookup config)
    {
        var secret = config.Secret(ns, name);
        if (secret is null)
            return optional ? [] : throw new VolumeMountException(ConfigMessages.SecretNotFound(name));
        var values = (secret.Data ?? ImmutableSortedDictionary<string, Bytes>.Empty).ToDictionary(d => d.Key, d => d.Value.Value.ToArray(), StringComparer.Ordinal);
        return Project(values, items, defaultMode, optional, key => $"references non-existent secret key: {key}");
    }

    private static Dictionary<string, FileProjection> Project(Dictionary<string, byte[]> values, IReadOnlyList<KeyToPath>? items, int defaultMode,
        bool optional, Func<string, string> missingKey)
    {
        if (items is not { Count: > 0 })
            return values.ToDictionary(v => v.Key, v => new FileProjection(v.Value, defaultMode), StringComparer.Ordinal);
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!values.TryGetValue(item.Key, out var data))
            {
                if (optional)
                    continue;
                throw new VolumeMountException(missingKey(item.Key));
            }
            payload[item.Path] = new FileProjection(data, item.Mode ?? defaultMode);
        }
        return payload;
    }

    /// <summary>kube's FormatMap: sorted <c>key="value"</c> lines, values quoted as Go's %q does.</summary>
    public static string FormatMap(IReadOnlyDictionary<string, string>? map) =>
        string.Join('\n', (map ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Quote(p.Value)}"));

    private static string Quote(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                < ' ' => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }
}

/// <summary>A volume that cannot be set up; the pod waits in ContainerCreating with a FailedMount event carrying the message.</summary>
public sealed class VolumeMountException(string message) : Exception(message);
