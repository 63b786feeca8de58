namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// What the agent prepared for a pod before any of its containers is created (the kubelet's sandbox): its address.
/// Everything a pod's containers share and that must exist before they start belongs here.
/// </summary>
public sealed record PodSandbox(string PodIp, string HostIp);
