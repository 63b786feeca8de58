using System.Collections.Immutable;
using Granary.Errors;
using Granary.Grains.Services;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Kubernetes' Endpoints rules (ValidateEndpoints): addresses are IPs, ports are named when there are several.</summary>
public static class EndpointsValidation
{
    public static ImmutableList<FieldError> Validate(Endpoints endpoints)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(endpoints.Metadata, namespaced: true));
        foreach (var (subset, s) in (endpoints.Subsets ?? []).Select((x, i) => (x, i)))
        {
            var path = $"subsets[{s}]";
            if (subset.Addresses is not { Count: > 0 } && subset.NotReadyAddresses is not { Count: > 0 })
                errors.Add(FieldError.Required(path) with { Detail = "must specify `addresses` or `notReadyAddresses`" });
            errors.AddRange(Addresses(subset.Addresses, $"{path}.addresses"));
            errors.AddRange(Addresses(subset.NotReadyAddresses, $"{path}.notReadyAddresses"));
            var ports = subset.Ports ?? [];
            for (var p = 0; p < ports.Count; p++)
            {
                var port = ports[p];
                var portPath = $"{path}.ports[{p}]";
                if (ports.Count > 1 && string.IsNullOrEmpty(port.Name))
                    errors.Add(FieldError.Required($"{portPath}.name"));
                else if (!string.IsNullOrEmpty(port.Name))
                    errors.AddRange(SyntaxValidation.Dns1123Label(port.Name, $"{portPath}.name"));
                errors.AddRange(NumberValidation.PortNumber(port.Port, $"{portPath}.port"));
                if (string.IsNullOrEmpty(port.Protocol))
                    errors.Add(FieldError.Required($"{portPath}.protocol"));
                else if (!ContainerValidation.Protocols.Contains(port.Protocol))
                    errors.Add(FieldError.Unsupported($"{portPath}.protocol", port.Protocol, ContainerValidation.Protocols));
            }
        }
        return errors.ToImmutable();
    }

    private static IEnumerable<FieldError> Addresses(ImmutableList<EndpointAddress>? addresses, string path)
    {
        foreach (var (address, i) in (addresses ?? []).Select((a, i) => (a, i)))
            if (ServiceNetwork.TryParseAddress(address.Ip) is null)
                yield return FieldError.Invalid($"{path}[{i}].ip", address.Ip, "must be a valid IP address");
    }
}
