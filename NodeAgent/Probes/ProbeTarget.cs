using Granary.Model;

namespace Granary.NodeAgent.Probes;

/// <summary>
/// A running container to probe: its pod, the pod's address (the default host of tcpSocket and httpGet probes),
/// the engine's container id and start time, and the container's spec (its probes and named ports).
/// </summary>
public sealed record ProbeTarget(string PodUid, string PodIp, string ContainerName, string ContainerId, DateTimeOffset StartedAt, Container Container);
