using System.Collections.Concurrent;
using System.Security.Cryptography;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Volumes;

/// <summary>A volume that could not be set up, with kube's message (the FailedMount event's).</summary>
public sealed record FailedVolume(string Name, string Message)
{
    public string EventMessage => $"MountVolume.SetUp failed for volume \"{Name}\" : {Message}";
}

/// <summary>The pod's volumes as prepared for its containers; the pod's containers start only when none failed.</summary>
public sealed record PodVolumes(IReadOnlyDictionary<string, PreparedVolume> Ready, IReadOnlyList<FailedVolume> Failed)
{
    public static readonly PodVolumes None = new(new Dictionary<string, PreparedVolume>(), []);
}

/// <summary>
/// The kubelet's volume manager for one node: before a pod's first container (and again on every pass, so updates
/// arrive) it makes each volume of the pod ready in the pod's directory (<see cref="PodVolumeDirectories"/>):
/// emptyDir (tmpfs for medium Memory), hostPath after its type check, configMap/secret/downwardAPI/projected files
/// written by the <see cref="AtomicWriter"/> from the node's <see cref="PodConfigCache"/> and ServiceAccount tokens from the
/// <see cref="IServiceAccountTokens"/> (secrets and projected
/// volumes on tmpfs, as the kubelet keeps them). Content is rewritten only when it changed. fsGroup owns the files.
/// persistentVolumeClaim volumes are their claim's local-path directory (<see cref="IClaimPaths"/>), bound elsewhere and
/// never removed with the pod. Directories of pods that are gone are removed by <see cref="CollectGone"/>. Thread-safe per pod.
/// </summary>
public sealed partial class VolumeManager(PodVolumeDirectories directories, IPodConfigLookup config, IClaimPaths claims, IServiceAccountTokens tokens,
    TimeProvider time, ILogger<VolumeManager> logger)
{
    // The fingerprint of what was last written per volume directory: a pass with unchanged content reads no files.
    private readonly ConcurrentDictionary<string, string> _written = new(StringComparer.Ordinal);
    // A claim's directory per pod and volume, once found: a bound claim keeps its volume for the pod's life.
    private readonly ConcurrentDictionary<(string Uid, string Volume), string> _claims = new();

    public async Task<PodVolumes> PrepareAsync(Pod pod, string podIp, string hostIp, IReadOnlyDictionary<string, Quantity> allocatable, CancellationToken ct)
    {
        if (pod.Spec.Volumes is not { Count: > 0 } volumes)
            return PodVolumes.None;
        var uid = pod.Metadata.Uid!;
        var ns = pod.Metadata.Namespace ?? "default";
        var fsGroup = pod.Spec.SecurityContext?.FsGroup;
        var ready = new Dictionary<string, PreparedVolume>(StringComparer.Ordinal);
        var failed = new List<FailedVolume>();
        foreach (var volume in volumes)
        {
            try
            {
                ready[volume.Name] = volume switch
                {
                    { EmptyDir: { } emptyDir } => EmptyDir(uid, volume.Name, emptyDir, pod, fsGroup),
                    { HostPath: { } hostPath } => HostPath(volume.Name, hostPath),
                    { ConfigMap: { } cm } => Files(uid, PodVolumeDirectories.ConfigMap, volume.Name, memory: false, fsGroup,
                        () => VolumePayloads.ConfigMap(cm, ns, config)),
                    { Secret: { } secret } => Files(uid, PodVolumeDirectories.Secret, volume.Name, memory: true, fsGroup,
                        () => VolumePayloads.Secret(secret, ns, config)),
                    { DownwardAPI: { } downward } => Files(uid, PodVolumeDirectories.DownwardApi, volume.Name, memory: false, fsGroup,
                        () => VolumePayloads.DownwardApi(downward.Items ?? [], downward.DefaultMode ?? VolumePayloads.DefaultMode, pod, podIp, hostIp, allocatable)),
                    { Projected: { } projected } => await ProjectedAsync(uid, volume.Name, projected, pod, podIp, hostIp, allocatable, fsGroup, ct),
                    { PersistentVolumeClaim: { } claim } => await ClaimAsync(uid, ns, volume.Name, claim, ct),
                    _ => throw new VolumeMountException("the volume has no source Granary supports (emptyDir, hostPath, configMap, secret, downwardAPI, projected, persistentVolumeClaim)"),
                };
            }
            catch (Exception e) when (e is VolumeMountException or Pods.ContainerConfigException or Storage.LocalPathVolumeException or ArgumentException
                or IOException or UnauthorizedAccessException)
            {
                failed.Add(new FailedVolume(volume.Name, e.Message));
            }
        }
        return new PodVolumes(ready, failed);
    }

    /// <summary>
    /// Removes the volume directories of pods that are not in <paramref name="keep"/> (wanted here, or with
    /// containers still present): the pod's containers are gone, so nothing uses them any more.
    /// </summary>
    public void CollectGone(IReadOnlySet<string> keep)
    {
        foreach (var uid in directories.PodsOnDisk().Where(u => !keep.Contains(u)))
        {
            try
            {
                directories.RemovePod(uid);
                var prefix = directories.PodDir(uid) + "/";
                foreach (var dir in _written.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
                    _written.TryRemove(dir, out _);
                foreach (var claim in _claims.Keys.Where(k => k.Uid == uid))
                    _claims.TryRemove(claim, out _);
                tokens.Forget(uid);
            }
            catch (IOException e)
            {
                LogRemoveFailed(logger, uid, e.Message);
            }
        }
    }

    private PreparedVolume EmptyDir(string uid, string name, EmptyDirVolumeSource source, Pod pod, long? fsGroup)
    {
        if (source.Medium is not (null or "" or "Memory"))
            throw new VolumeMountException($"emptyDir medium \"{source.Medium}\" is not supported (use \"\" or \"Memory\")");
        var dir = directories.Ensure(uid, PodVolumeDirectories.EmptyDir, name);
        if (source.Medium == "Memory" && !directories.EnsureTmpfs(dir, MemorySize(source, pod)))
            throw new VolumeMountException("emptyDir medium Memory needs a tmpfs mount, which the agent could not make (it must run as root)");
        if (fsGroup is { } group)
        {
            LibC.ChangeGroup(dir, group);
            LibC.SetMode(dir, (UnixFileMode)0b111_111_111 | UnixFileMode.SetGroup);
        }
        return new PreparedVolume(name, dir, Writable: true);
    }

    /// <summary>sizeLimit, else the sum of the containers' memory limits when every container has one (kube's sizing), else the kernel's default.</summary>
    private static long? MemorySize(EmptyDirVolumeSource source, Pod pod)
    {
        if (source.SizeLimit is { Text: not null } limit && limit.Value > 0)
            return limit.Value;
        var limits = (pod.Spec.Containers ?? []).Select(c => c.Resources?.Limits?.GetValueOrDefault("memory")).ToList();
        return limits.Count > 0 && limits.All(l => l is { Text: not null }) ? limits.Sum(l => l!.Value.Value) : null;
    }

    /// <summary>A projected volume; its ServiceAccount tokens are fetched (or refreshed) first, the rest is read from the node's cache.</summary>
    private async Task<PreparedVolume> ProjectedAsync(string uid, string name, ProjectedVolumeSource projected, Pod pod, string podIp, string hostIp,
        IReadOnlyDictionary<string, Quantity> allocatable, long? fsGroup, CancellationToken ct)
    {
        var podTokens = projected.Sources?.Any(s => s.ServiceAccountToken is not null) == true
            ? await tokens.TokensAsync(pod, projected, ct)
            : null;
        return Files(uid, PodVolumeDirectories.Projected, name, memory: true, fsGroup,
            () => VolumePayloads.Projected(projected, pod, podIp, hostIp, config, allocatable, podTokens));
    }

    /// <summary>The claim's local-path directory on this node (the claim's data outlives the pod; it is never removed here).</summary>
    private async Task<PreparedVolume> ClaimAsync(string uid, string ns, string name, PersistentVolumeClaimVolumeSource source, CancellationToken ct)
    {
        if (!_claims.TryGetValue((uid, name), out var path))
        {
            path = await claims.ResolveClaimPathAsync(ns, source.ClaimName, ct);
            _claims[(uid, name)] = path;
        }
        return new PreparedVolume(name, path, Writable: source.ReadOnly != true);
    }

    private static PreparedVolume HostPath(string name, HostPathVolumeSource source)
    {
        HostPathCheck.Check(source.Path, source.Type);
        return new PreparedVolume(name, source.Path, Writable: true);
    }

    private PreparedVolume Files(string uid, string plugin, string name, bool memory, long? fsGroup, Func<Dictionary<string, FileProjection>> payload)
    {
        var files = payload();
        var dir = directories.Ensure(uid, plugin, name);
        // Secrets stay off the disk when the agent may mount; without root they are written to the disk as a fallback (logged by the directories).
        if (memory)
            directories.EnsureTmpfs(dir, null);
        var fingerprint = Fingerprint(files, fsGroup);
        if (_written.TryGetValue(dir, out var last) && last == fingerprint)
            return new PreparedVolume(name, dir, Writable: false);
        if (new AtomicWriter(dir, time).Write(files, fsGroup))
            LogWritten(logger, uid, name, files.Count);
        _written[dir] = fingerprint;
        return new PreparedVolume(name, dir, Writable: false);
    }

    private static string Fingerprint(Dictionary<string, FileProjection> files, long? fsGroup)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(BitConverter.GetBytes(fsGroup ?? -1));
        foreach (var (path, file) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(path));
            hash.AppendData(BitConverter.GetBytes(file.Mode));
            hash.AppendData(BitConverter.GetBytes(file.Data.Length));
            hash.AppendData(file.Data);
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Uid}: wrote volume {Volume} ({Count} files)")]
    private static partial void LogWritten(ILogger logger, string uid, string volume, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Uid}: could not remove its volumes ({Reason}); retrying on the next pass")]
    private static partial void LogRemoveFailed(ILogger logger, string uid, string reason);
}
