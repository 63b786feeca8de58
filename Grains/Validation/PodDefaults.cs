using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' defaults for a pod, filled only where a field is unset (null or empty), so applying them twice
/// changes nothing. Probe numbers of 0 are unset too: Kubernetes cannot tell them apart and defaults them.
/// </summary>
public static class PodDefaults
{
    public const string DefaultScheduler = "default-scheduler";
    public const long DefaultTerminationGracePeriodSeconds = 30;

    public static Pod Apply(Pod pod) => pod with { Spec = Spec(pod.Spec) };

    private static PodSpec Spec(PodSpec spec) => spec with
    {
        RestartPolicy = OrDefault(spec.RestartPolicy, "Always"),
        TerminationGracePeriodSeconds = spec.TerminationGracePeriodSeconds ?? DefaultTerminationGracePeriodSeconds,
        SchedulerName = OrDefault(spec.SchedulerName, DefaultScheduler),
        Containers = spec.Containers?.Select(c => Container(c, spec.HostNetwork == true)).ToImmutableList(),
    };

    private static Container Container(Container container, bool hostNetwork) => container with
    {
        ImagePullPolicy = OrDefault(container.ImagePullPolicy, PullPolicy(container.Image ?? "")),
        Ports = container.Ports?.Select(p => Port(p, hostNetwork)).ToImmutableList(),
        Env = container.Env?.Select(Env).ToImmutableList(),
        Resources = Resources(container.Resources),
        LivenessProbe = Probe(container.LivenessProbe),
        ReadinessProbe = Probe(container.ReadinessProbe),
        StartupProbe = Probe(container.StartupProbe),
    };

    // A moving tag is pulled every time; a fixed tag or a digest only when missing.
    private static string PullPolicy(string image) => ImageReference.Tag(image) == "latest" ? "Always" : "IfNotPresent";

    private static ContainerPort Port(ContainerPort port, bool hostNetwork) => port with
    {
        Protocol = OrDefault(port.Protocol, "TCP"),
        // On the host's network the container listens on the host's port.
        HostPort = hostNetwork && port.HostPort is null or 0 ? port.Number : port.HostPort,
    };

    private static EnvVar Env(EnvVar env) =>
        env.ValueFrom?.FieldRef is { } fieldRef
            ? env with { ValueFrom = env.ValueFrom with { FieldRef = fieldRef with { ApiVersion = OrDefault(fieldRef.ApiVersion, "v1") } } }
            : env;

    // Requests default to limits: a container that states only a limit is guaranteed that much.
    private static ResourceRequirements? Resources(ResourceRequirements? resources)
    {
        if (resources?.Limits is not { } limits)
            return resources;
        var requests = resources.Requests ?? ImmutableSortedDictionary<string, Quantity>.Empty;
        return resources with { Requests = requests.SetItems(limits.Where(l => !requests.ContainsKey(l.Key))) };
    }

    private static Probe? Probe(Probe? probe) => probe is null ? null : probe with
    {
        TimeoutSeconds = OrDefault(probe.TimeoutSeconds, 1),
        PeriodSeconds = OrDefault(probe.PeriodSeconds, 10),
        SuccessThreshold = OrDefault(probe.SuccessThreshold, 1),
        FailureThreshold = OrDefault(probe.FailureThreshold, 3),
        HttpGet = probe.HttpGet is { } http
            ? http with { Path = OrDefault(http.Path, "/"), Scheme = OrDefault(http.Scheme, "HTTP") }
            : null,
    };

    private static string OrDefault(string? value, string fallback) => string.IsNullOrEmpty(value) ? fallback : value;

    private static int OrDefault(int? value, int fallback) => value is null or 0 ? fallback : value.Value;
}
