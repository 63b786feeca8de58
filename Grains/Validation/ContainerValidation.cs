using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// The containers, init containers and ephemeral containers of a pod spec (kube's validateContainers,
/// validateInitContainers, validateEphemeralContainers and validateContainerCommon).
/// </summary>
public static class ContainerValidation
{
    public static readonly ImmutableArray<string> Protocols = ["SCTP", "TCP", "UDP"];
    public static readonly ImmutableArray<string> PullPolicies = ["Always", "IfNotPresent", "Never"];
    public static readonly ImmutableArray<string> ResizeResources = ["cpu", "memory"];
    public static readonly ImmutableArray<string> ResizeRestartPolicies = ["NotRequired", "RestartContainer"];
    public const string TerminationMessagePolicyRule = "must be 'File' or 'FallbackToLogsOnError'";
    public const string InitOnly = "may not be set for init containers without restartPolicy=Always";
    public const string EphemeralOnly = "may not be set for ephemeral containers";

    /// <summary>Every container of <paramref name="spec"/>; names are unique across the three lists.</summary>
    public static IEnumerable<FieldError> Validate(PodSpec spec, string field)
    {
        var volumes = (spec.Volumes ?? []).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var gracePeriod = spec.TerminationGracePeriodSeconds ?? PodDefaults.DefaultTerminationGracePeriodSeconds;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var containers = spec.Containers ?? [];

        if (containers.Count == 0)
            yield return FieldError.Required($"{field}.containers");
        foreach (var (container, i) in containers.Select((c, i) => (c, i)))
        {
            var path = $"{field}.containers[{i}]";
            var errors = Name(container, names, path)
                .Concat(Common(container, volumes, path))
                .Concat(Probes(container, path))
                .Concat(ProbeValidation.Lifecycle(container.Lifecycle, gracePeriod, $"{path}.lifecycle"));
            if (container.RestartPolicy is not null)
                errors = errors.Append(FieldError.Forbidden($"{path}.restartPolicy", "may not be set for non-init containers"));
            foreach (var error in errors)
                yield return error;
        }

        foreach (var (container, i) in (spec.InitContainers ?? []).Select((c, i) => (c, i)))
        {
            var path = $"{field}.initContainers[{i}]";
            foreach (var error in Name(container, names, path).Concat(Common(container, volumes, path)).Concat(Init(container, gracePeriod, path)))
                yield return error;
        }

        foreach (var (container, i) in (spec.EphemeralContainers ?? []).Select((c, i) => (c, i)))
        {
            var path = $"{field}.ephemeralContainers[{i}]";
            foreach (var error in Name(container, names, path).Concat(Common(container, volumes, path)).Concat(Ephemeral(container, path)))
                yield return error;
        }
    }

    private static IEnumerable<FieldError> Name(Container container, HashSet<string> names, string path)
    {
        if (container.Name.Length == 0)
            yield return FieldError.Required($"{path}.name");
        else
            foreach (var error in SyntaxValidation.Dns1123Label(container.Name, $"{path}.name"))
                yield return error;
        if (!names.Add(container.Name))
            yield return FieldError.Duplicate($"{path}.name", container.Name);
    }

    /// <summary>What every kind of container shares: image, ports, environment, mounts, policies, resources, security.</summary>
    private static IEnumerable<FieldError> Common(Container container, ISet<string> volumes, string path)
    {
        if (string.IsNullOrEmpty(container.Image))
            yield return FieldError.Required($"{path}.image");
        else if (container.Image.Trim() != container.Image)
            yield return FieldError.Invalid($"{path}.image", container.Image, "must not have leading or trailing whitespace");

        // Unset policies are filled by PodDefaults.
        if (!string.IsNullOrEmpty(container.ImagePullPolicy) && !PullPolicies.Contains(container.ImagePullPolicy))
            yield return FieldError.Unsupported($"{path}.imagePullPolicy", container.ImagePullPolicy, PullPolicies);
        if (!string.IsNullOrEmpty(container.TerminationMessagePolicy) && container.TerminationMessagePolicy is not ("File" or "FallbackToLogsOnError"))
            yield return FieldError.Invalid($"{path}.terminationMessagePolicy", container.TerminationMessagePolicy, TerminationMessagePolicyRule);

        var errors = Ports(container.Ports, $"{path}.ports")
            .Concat(EnvValidation.Env(container.Env, $"{path}.env"))
            .Concat(EnvValidation.EnvFrom(container.EnvFrom, $"{path}.envFrom"))
            .Concat(VolumeMountValidation.Validate(container, volumes, $"{path}.volumeMounts"))
            .Concat(VolumeMountValidation.Devices(container, $"{path}.volumeDevices"))
            .Concat(QuantityValidation.Requirements(container.Resources, $"{path}.resources"))
            .Concat(ResizePolicy(container.ResizePolicy, $"{path}.resizePolicy"))
            .Concat(SecurityContextValidation.Container(container.SecurityContext, $"{path}.securityContext"));
        foreach (var error in errors)
            yield return error;
    }

    private static IEnumerable<FieldError> Probes(Container container, string path) =>
        ProbeValidation.SingleSuccess(container.LivenessProbe, $"{path}.livenessProbe")
            .Concat(ProbeValidation.Readiness(container.ReadinessProbe, $"{path}.readinessProbe"))
            .Concat(ProbeValidation.SingleSuccess(container.StartupProbe, $"{path}.startupProbe"));

    // An init container with restartPolicy Always is a sidecar: it runs beside the app, so it may have probes and hooks.
    private static IEnumerable<FieldError> Init(Container container, long gracePeriod, string path)
    {
        if (container.RestartPolicy is { } policy && policy != "Always")
            yield return FieldError.Unsupported($"{path}.restartPolicy", policy, ["Always"]);
        if (container.RestartPolicy == "Always")
        {
            foreach (var error in Probes(container, path).Concat(ProbeValidation.Lifecycle(container.Lifecycle, gracePeriod, $"{path}.lifecycle")))
                yield return error;
            yield break;
        }
        var forbidden = new (object? Value, string Name)[]
        {
            (container.Lifecycle, "lifecycle"), (container.LivenessProbe, "livenessProbe"),
            (container.ReadinessProbe, "readinessProbe"), (container.StartupProbe, "startupProbe"),
        };
        foreach (var (_, name) in forbidden.Where(f => f.Value is not null))
            yield return FieldError.Forbidden($"{path}.{name}", InitOnly);
    }

    // A debugging container joins a running pod: nothing that would change how the pod is scheduled or restarted.
    private static IEnumerable<FieldError> Ephemeral(EphemeralContainer container, string path)
    {
        var forbidden = new (bool Set, string Name)[]
        {
            (container.Ports is { Count: > 0 }, "ports"), (container.Lifecycle is not null, "lifecycle"),
            (container.LivenessProbe is not null, "livenessProbe"), (container.ReadinessProbe is not null, "readinessProbe"),
            (container.StartupProbe is not null, "startupProbe"),
            (container.Resources is { Requests.Count: > 0 } or { Limits.Count: > 0 } or { Claims.Count: > 0 }, "resources"),
            (container.ResizePolicy is { Count: > 0 }, "resizePolicy"), (container.RestartPolicy is not null, "restartPolicy"),
        };
        foreach (var (_, name) in forbidden.Where(f => f.Set))
            yield return FieldError.Forbidden($"{path}.{name}", EphemeralOnly);
    }

    private static IEnumerable<FieldError> ResizePolicy(ImmutableList<ContainerResizePolicy>? policies, string field)
    {
        var resources = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (policy, i) in (policies ?? []).Select((p, i) => (p, i)))
        {
            var path = $"{field}[{i}]";
            if (!ResizeResources.Contains(policy.ResourceName))
                yield return FieldError.Unsupported($"{path}.resourceName", policy.ResourceName, ResizeResources);
            else if (!resources.Add(policy.ResourceName))
                yield return FieldError.Duplicate($"{path}.resourceName", policy.ResourceName);
            if (!ResizeRestartPolicies.Contains(policy.RestartPolicy))
                yield return FieldError.Unsupported($"{path}.restartPolicy", policy.RestartPolicy, ResizeRestartPolicies);
        }
    }

    private static IEnumerable<FieldError> Ports(ImmutableList<ContainerPort>? ports, string field)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (port, i) in (ports ?? []).Select((p, i) => (p, i)))
        {
            var path = $"{field}[{i}]";
            if (!string.IsNullOrEmpty(port.Name))
            {
                var nameErrors = SyntaxValidation.PortName(port.Name, $"{path}.name").ToList();
                foreach (var error in nameErrors)
                    yield return error;
                if (nameErrors.Count == 0 && !names.Add(port.Name))
                    yield return FieldError.Duplicate($"{path}.name", port.Name);
            }

            if (port.Number == 0)
                yield return FieldError.Required($"{path}.containerPort");
            else
                foreach (var error in NumberValidation.PortNumber(port.Number, $"{path}.containerPort"))
                    yield return error;

            if (port.HostPort is { } hostPort and not 0)
                foreach (var error in NumberValidation.PortNumber(hostPort, $"{path}.hostPort"))
                    yield return error;

            // Unset is TCP (see PodDefaults).
            if (!string.IsNullOrEmpty(port.Protocol) && !Protocols.Contains(port.Protocol))
                yield return FieldError.Unsupported($"{path}.protocol", port.Protocol, Protocols);
        }
    }
}
