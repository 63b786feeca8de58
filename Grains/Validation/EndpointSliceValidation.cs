using System.Collections.Immutable;
using Granary.Errors;
using Granary.Grains.Services;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Kubernetes' EndpointSlice rules (ValidateEndpointSlice), for the address types Granary serves.</summary>
public static class EndpointSliceValidation
{
    private static readonly ImmutableArray<string> AddressTypes = ["FQDN", "IPv4", "IPv6"];

    public static ImmutableList<FieldError> Validate(EndpointSlice slice)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.Validate(slice.Metadata, namespaced: true));
        if (string.IsNullOrEmpty(slice.AddressType))
            errors.Add(FieldError.Required("addressType"));
        else if (!AddressTypes.Contains(slice.AddressType))
            errors.Add(FieldError.Unsupported("addressType", slice.AddressType, AddressTypes));
        foreach (var (endpoint, i) in (slice.Endpoints ?? []).Select((e, i) => (e, i)))
        {
            var path = $"endpoints[{i}].addresses";
            if (endpoint.Addresses.Count is < 1 or > 100)
                errors.Add(new FieldError(path, "Invalid value", $"{endpoint.Addresses.Count}: must contain at least 1 address and no more than 100"));
            if (slice.AddressType == "IPv4")
                foreach (var (address, a) in endpoint.Addresses.Select((x, a) => (x, a)))
                    if (ServiceNetwork.TryParseAddress(address) is null)
                        errors.Add(FieldError.Invalid($"{path}[{a}]", address, "must be a valid IPv4 address"));
        }
        foreach (var (port, i) in (slice.Ports ?? []).Select((p, i) => (p, i)))
        {
            if (port.Port is { } number)
                errors.AddRange(NumberValidation.PortNumber(number, $"ports[{i}].port"));
            if (port.Protocol is { } protocol && !ContainerValidation.Protocols.Contains(protocol))
                errors.Add(FieldError.Unsupported($"ports[{i}].protocol", protocol, ContainerValidation.Protocols));
        }
        return errors.ToImmutable();
    }
}
