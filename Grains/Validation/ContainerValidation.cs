using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>The containers of a pod spec: names, images, ports, environment, resources and probes.</summary>
public static class ContainerValidation
{
    public static readonly ImmutableArray<string> Protocols = ["SCTP", "TCP", "UDP"];

    public static IEnumerable<FieldError> Validate(ImmutableList<Container>? containers, string field)
    {
        if (containers is not { Count: > 0 })
        {
            yield return FieldError.Required(field);
            yield break;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (container, i) in containers.Select((c, i) => (c, i)))
        {
            var path = $"{field}[{i}]";
            if (container.Name.Length == 0)
                yield return FieldError.Required($"{path}.name");
            else
                foreach (var error in SyntaxValidation.Dns1123Label(container.Name, $"{path}.name"))
                    yield return error;
            if (!names.Add(container.Name))
                yield return FieldError.Duplicate($"{path}.name", container.Name);

            foreach (var error in Container(container, path))
                yield return error;
        }
    }

    private static IEnumerable<FieldError> Container(Container container, string path)
    {
        if (string.IsNullOrEmpty(container.Image))
            yield return FieldError.Required($"{path}.image");
        else if (container.Image.Trim() != container.Image)
            yield return FieldError.Invalid($"{path}.image", container.Image, "must not have leading or trailing whitespace");

        var errors = ProbeValidation.SingleSuccess(container.LivenessProbe, $"{path}.livenessProbe")
            .Concat(ProbeValidation.Validate(container.ReadinessProbe, $"{path}.readinessProbe"))
            .Concat(ProbeValidation.SingleSuccess(container.StartupProbe, $"{path}.startupProbe"))
            .Concat(Ports(container.Ports, $"{path}.ports"))
            .Concat(Env(container.Env, $"{path}.env"))
            .Concat(QuantityValidation.Requirements(container.Resources, $"{path}.resources"));
        foreach (var error in errors)
            yield return error;
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

    private static IEnumerable<FieldError> Env(ImmutableList<EnvVar>? env, string field)
    {
        foreach (var (variable, i) in (env ?? []).Select((v, i) => (v, i)))
        {
            if (variable.Name.Length == 0)
                yield return FieldError.Required($"{field}[{i}].name");
        }
    }
}
