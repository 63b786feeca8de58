using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Kubernetes' node rules. Status is validated too: agents write it, and the scheduler trusts it.</summary>
public static class NodeValidation
{
    public static readonly ImmutableArray<string> AddressTypes = ["Hostname", "InternalIP", "ExternalIP", "InternalDNS", "ExternalDNS"];

    public static ImmutableList<FieldError> Validate(Node node) =>
    [
        .. MetadataValidation.Validate(node.Metadata, namespaced: false),
        .. TaintValidation.Taints(node.Spec.Taints, "spec.taints"),
        .. Resources(node.Status?.Capacity, "status.capacity"),
        .. Resources(node.Status?.Allocatable, "status.allocatable"),
        .. Addresses(node.Status?.Addresses, "status.addresses"),
    ];

    /// <summary>Besides <see cref="Validate"/>: podCIDR and providerID may be set once, then not changed.</summary>
    public static ImmutableList<FieldError> ValidateUpdate(Node old, Node updated)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata));
        errors.AddRange(Validate(updated));
        if (!string.IsNullOrEmpty(old.Spec.PodCIDR) && old.Spec.PodCIDR != updated.Spec.PodCIDR)
            errors.Add(FieldError.Forbidden("spec.podCIDR", "node updates may not change podCIDR except from \"\" to valid"));
        if (!string.IsNullOrEmpty(old.Spec.ProviderID) && old.Spec.ProviderID != updated.Spec.ProviderID)
            errors.Add(FieldError.Forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"));
        return errors.ToImmutable();
    }

    // Kubernetes names these paths with '.', not with brackets: status.capacity.cpu.
    private static IEnumerable<FieldError> Resources(ImmutableSortedDictionary<string, Quantity>? resources, string field) =>
        (resources ?? ImmutableSortedDictionary<string, Quantity>.Empty)
            .SelectMany(r => QuantityValidation.Value(r.Key, r.Value, $"{field}.{r.Key}"));

    private static IEnumerable<FieldError> Addresses(ImmutableList<NodeAddress>? addresses, string field)
    {
        foreach (var (address, i) in (addresses ?? []).Select((a, i) => (a, i)))
        {
            if (!AddressTypes.Contains(address.Type))
                yield return FieldError.Unsupported($"{field}[{i}].type", address.Type, AddressTypes);
        }
    }
}
