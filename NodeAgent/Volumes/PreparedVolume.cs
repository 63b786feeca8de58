namespace Granary.NodeAgent.Volumes;

/// <summary>
/// A pod volume ready to be mounted: the host directory (or file, for a hostPath) behind it, and whether containers
/// may write to it. configMap, secret, downwardAPI and projected volumes are always mounted read-only, as the kubelet
/// does since Kubernetes 1.10; their subPath mounts do not see updates (the bind is of one generation's file).
/// </summary>
public sealed record PreparedVolume(string Name, string HostPath, bool Writable);
