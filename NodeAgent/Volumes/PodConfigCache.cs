using System.Collections.Concurrent;
using System.Collections.Immutable;
using Granary.Api;
using Granary.Model;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Pods;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Granary.NodeAgent.Configuration;

namespace Granary.NodeAgent.Volumes;

/// <summary>
/// The node's copy of the ConfigMaps and Secrets its pods reference (the kubelet's configmap and secret managers).
/// Each sync pass first calls <see cref="RefreshAsync"/>: objects never read, objects a change hint named, and (every
/// resync period) all of them are read again through the node's <see cref="INodeAgentGrain.ReadPodConfigAsync"/>;
/// objects no pod references any more are dropped. Secrets live in memory only. While the control plane is
/// unreachable the copies held are kept (static stability). Thread-safe.
/// </summary>
public sealed partial class PodConfigCache : IPodConfigLookup
{
    public const string ConfigMapKind = "ConfigMap";
    public const string SecretKind = "Secret";

    private readonly IPodConfigReader _reader;
    private readonly TimeProvider _time;
    private readonly TimeSpan _resync;
    private readonly ILogger<PodConfigCache> _logger;
    // Present with a null value: read, and it does not exist. Absent: never read.
    private readonly ConcurrentDictionary<ConfigKey, object?> _objects = new();
    private readonly ConcurrentDictionary<ConfigKey, bool> _stale = new();
    private DateTimeOffset _lastFullRead = DateTimeOffset.MinValue;

    public PodConfigCache(IPodConfigReader reader, AgentObserver observer, IOptions<AgentSettings> settings, TimeProvider time, ILogger<PodConfigCache> logger)
    {
        _reader = reader;
        _time = time;
        _resync = settings.Value.ResyncPeriod;
        _logger = logger;
        observer.ConfigChanged += (_, e) => Hint(e.Kind, e.Namespace, e.Name);
    }

    /// <summary>Raised when a change hint arrived, so the sync loop runs at once and writes the new content.</summary>
    public event Action? Changed;

    public void Hint(string kind, string @namespace, string name)
    {
        var key = new ConfigKey(kind, @namespace, name);
        if (!_objects.ContainsKey(key))
            return;
        _stale[key] = true;
        Changed?.Invoke();
    }

    /// <summary>
    /// Makes the cache hold what <paramref name="pods"/> reference: reads what is new, hinted or due, drops the rest.
    /// A failed read keeps what was held and is retried on the next pass.
    /// </summary>
    public async Task RefreshAsync(IReadOnlyList<Pod> pods, CancellationToken ct)
    {
        var referenced = References(pods);
        foreach (var key in _objects.Keys.Where(k => !referenced.Contains(k)))
        {
            _objects.TryRemove(key, out _);
            _stale.TryRemove(key, out _);
        }
        var now = _time.GetUtcNow();
        var full = now - _lastFullRead >= _resync;
        var due = referenced.Where(k => full || !_objects.ContainsKey(k) || _stale.ContainsKey(k)).ToList();
        if (due.Count == 0)
            return;
        var allRead = true;
        foreach (var group in due.GroupBy(k => k.Namespace, StringComparer.Ordinal))
        {
            foreach (var key in group)
                _stale.TryRemove(key, out _);
            ImmutableArray<string> configMaps = [.. group.Where(k => k.Kind == ConfigMapKind).Select(k => k.Name)];
            ImmutableArray<string> secrets = [.. group.Where(k => k.Kind == SecretKind).Select(k => k.Name)];
            try
            {
                if (await _reader.ReadAsync(group.Key, configMaps, secrets, ct) is not { } read)
                {
                    allRead = false;
                    Restale(group);
                    continue;
                }
                foreach (var name in configMaps)
                    _objects[new ConfigKey(ConfigMapKind, group.Key, name)] = read.ConfigMaps.FirstOrDefault(c => c.Metadata.Name == name);
                foreach (var name in secrets)
                    _objects[new ConfigKey(SecretKind, group.Key, name)] = read.Secrets.FirstOrDefault(s => s.Metadata.Name == name);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                allRead = false;
                Restale(group);
                LogReadFailed(_logger, group.Key, e.Message);
            }
        }
        if (full && allRead)
            _lastFullRead = now;
    }

    public ConfigMap? ConfigMap(string @namespace, string name) => (ConfigMap?)Find(new ConfigKey(ConfigMapKind, @namespace, name));

    public Secret? Secret(string @namespace, string name) => (Secret?)Find(new ConfigKey(SecretKind, @namespace, name));

    /// <summary>The objects a pod's references name, by kind and namespace.</summary>
    public static HashSet<ConfigKey> References(IEnumerable<Pod> pods)
    {
        var keys = new HashSet<ConfigKey>();
        foreach (var pod in pods.Where(p => p.Metadata.DeletionTimestamp is null))
        {
            var ns = pod.Metadata.Namespace ?? "default";
            var references = PodReferences.Of(pod.Spec);
            keys.UnionWith(references.ConfigMaps.Select(n => new ConfigKey(ConfigMapKind, ns, n)));
            keys.UnionWith(references.Secrets.Select(n => new ConfigKey(SecretKind, ns, n)));
        }
        return keys;
    }

    private object? Find(ConfigKey key) =>
        _objects.TryGetValue(key, out var found)
            ? found
            : throw new ContainerConfigException($"couldn't get {(key.Kind == ConfigMapKind ? "configMap" : "secret")} {key.Namespace}/{key.Name}: not read from the control plane yet");

    private void Restale(IEnumerable<ConfigKey> keys)
    {
        foreach (var key in keys.Where(_objects.ContainsKey))
            _stale[key] = true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the ConfigMaps and Secrets of namespace {Namespace} for this node's pods: {Reason}; retrying")]
    private static partial void LogReadFailed(ILogger logger, string @namespace, string reason);
}

/// <summary>One ConfigMap or Secret: <see cref="Kind"/> is "ConfigMap" or "Secret".</summary>
public readonly record struct ConfigKey(string Kind, string Namespace, string Name);

/// <summary>Reads ConfigMaps and Secrets for the node's pods; null while the control plane is unreachable.</summary>
public interface IPodConfigReader
{
    Task<PodConfigObjects?> ReadAsync(string @namespace, ImmutableArray<string> configMaps, ImmutableArray<string> secrets, CancellationToken ct);
}

/// <summary>Reads through this node's <see cref="INodeAgentGrain"/>, which only gives objects the node's pods reference.</summary>
public sealed class NodeAgentConfigReader(ControlPlaneLink link, ControlPlaneRefusals refusals) : IPodConfigReader
{
    public async Task<PodConfigObjects?> ReadAsync(string @namespace, ImmutableArray<string> configMaps, ImmutableArray<string> secrets, CancellationToken ct)
    {
        if (link.Client is not { } client)
            return null;
        return await refusals.CallAsync(AgentCall.ReadPodConfig, @namespace,
            () => client.Grains.GetGrain<INodeAgentGrain>(link.NodeName).ReadPodConfigAsync(@namespace, configMaps, secrets).WaitAsync(ct));
    }
}
