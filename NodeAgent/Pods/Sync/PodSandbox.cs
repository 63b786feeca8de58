using Granary.NodeAgent.Volumes;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// What the agent prepared for a pod before any of its containers is created (the kubelet's sandbox): its address and
/// its volumes. Everything a pod's containers share and that must exist before they start belongs here.
/// </summary>
/// <param name="Refusal">Why this node's driver cannot run the pod at all (its containers wait in CreateContainerConfigError).</param>
public sealed record PodSandbox(string PodIp, string HostIp, PodVolumes Volumes, string? Refusal = null);
