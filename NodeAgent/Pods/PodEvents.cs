using System.Globalization;
using Granary.Events;
using Granary.Model;
using Granary.NodeAgent.ControlPlane;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Pods;

/// <summary>
/// The events the agent records about pods, with the kubelet's reasons and messages, each about one container
/// (involvedObject.fieldPath <c>spec.containers{name}</c>). The source is the agent on this node. Recording never
/// blocks or throws: the agent's own broadcaster writes in the background, through the Node grain (so in a dev silo
/// the embedded agent's events stay apart from the silo's).
/// </summary>
public sealed class PodEvents : IAsyncDisposable
{
    /// <summary>The component on the agent's events (the kubelet's are "kubelet").</summary>
    public const string Component = "granary-agent";

    private readonly EventBroadcaster _broadcaster;
    private readonly IEventRecorder _recorder;

    public PodEvents(AgentEventSink sink, NodeIdentity node, TimeProvider time, ILogger<EventBroadcaster> logger)
    {
        _broadcaster = new EventBroadcaster(sink, time, logger);
        _recorder = _broadcaster.NewRecorder(new EventSource { Component = Component, Host = node.Name });
    }

    public static string FieldPath(Container container) => $"spec.containers{{{container.Name}}}";

    public void Pulling(Pod pod, Container c) => Normal(pod, c, "Pulling", $"Pulling image \"{c.Image}\"");

    public void Pulled(Pod pod, Container c, TimeSpan took) =>
        Normal(pod, c, "Pulled", string.Create(CultureInfo.InvariantCulture, $"Successfully pulled image \"{c.Image}\" in {took.TotalSeconds:0.###}s"));

    public void AlreadyPresent(Pod pod, Container c) => Normal(pod, c, "Pulled", $"Container image \"{c.Image}\" already present on machine");

    public void PullFailed(Pod pod, Container c, string error)
    {
        Warning(pod, c, "Failed", $"Failed to pull image \"{c.Image}\": {error}");
        Warning(pod, c, "Failed", "Error: ErrImagePull");
    }

    public void PullBackOff(Pod pod, Container c)
    {
        Normal(pod, c, "BackOff", $"Back-off pulling image \"{c.Image}\"");
        Warning(pod, c, "Failed", "Error: ImagePullBackOff");
    }

    public void NeverPull(Pod pod, Container c) =>
        Warning(pod, c, "ErrImageNeverPull", $"Container image \"{c.Image}\" is not present with pull policy of Never");

    public void Created(Pod pod, Container c) => Normal(pod, c, "Created", $"Created container {c.Name}");

    public void Started(Pod pod, Container c) => Normal(pod, c, "Started", $"Started container {c.Name}");

    /// <summary>The engine refused to create or start the container, or its configuration is wrong.</summary>
    public void Failed(Pod pod, Container c, string error) => Warning(pod, c, "Failed", $"Error: {error}");

    public void Killing(Pod pod, Container c, string message) => Normal(pod, c, "Killing", message);

    public void FailedPostStartHook(Pod pod, Container c, string message) => Warning(pod, c, "FailedPostStartHook", message);

    public void FailedPreStopHook(Pod pod, Container c, string message) => Warning(pod, c, "FailedPreStopHook", message);

    public void BackOff(Pod pod, Container c) =>
        Warning(pod, c, "BackOff", $"Back-off restarting failed container {c.Name} in pod {pod.Metadata.Name}_{pod.Metadata.Namespace}({pod.Metadata.Uid})");

    /// <summary>A failed probe attempt; <paramref name="message"/> is already the kubelet's ("Liveness probe failed: …").</summary>
    public void Unhealthy(Pod pod, Container c, string message) => Warning(pod, c, "Unhealthy", message);

    /// <summary>The pod ran longer than its activeDeadlineSeconds and is failed (about the pod, not one container).</summary>
    public void DeadlineExceeded(Pod pod, string message) => _recorder.Record(pod, Event.Warning, "DeadlineExceeded", message);

    /// <summary>A volume of the pod could not be set up; its containers wait (the kubelet's FailedMount).</summary>
    public void FailedMount(Pod pod, string message) => _recorder.Record(pod, Event.Warning, "FailedMount", message);

    /// <summary>envFrom keys that are not variable names were skipped.</summary>
    /// <summary>A warning while forming the pod's resolv.conf (MissingClusterDNS, DNSConfigForming), as the kubelet records it.</summary>
    public void DnsWarning(Pod pod, string reason, string message) => _recorder.Record(pod, Event.Warning, reason, message);

    public void InvalidEnvironmentVariableNames(Pod pod, string message) => _recorder.Record(pod, Event.Warning, "InvalidEnvironmentVariableNames", message);

    /// <summary>Some imagePullSecrets do not exist; the pull goes on without them (the kubelet's FailedToRetrieveImagePullSecret).</summary>
    public void FailedToRetrieveImagePullSecret(Pod pod, IEnumerable<string> missing) =>
        _recorder.Record(pod, Event.Warning, "FailedToRetrieveImagePullSecret",
            $"Unable to retrieve some image pull secrets ({string.Join(", ", missing)}); attempting to pull the image may not succeed.");

    public ValueTask DisposeAsync() => _broadcaster.DisposeAsync();

    private void Normal(Pod pod, Container c, string reason, string message) => _recorder.Record(pod, Event.Normal, reason, message, FieldPath(c));

    private void Warning(Pod pod, Container c, string reason, string message) => _recorder.Record(pod, Event.Warning, reason, message, FieldPath(c));
}
