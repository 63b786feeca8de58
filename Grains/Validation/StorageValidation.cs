using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>The rules claims and volumes share (kube's access modes, class names, storage amounts, volume modes).</summary>
internal static class StorageValidation
{
    public const string NotPositive = "must be greater than zero";
    private const string StorageKey = "storage";

    /// <summary>
    /// Each mode from kube's set, ReadWriteOncePod alone. <paramref name="requiredDetail"/> is kube's text for an empty
    /// list, which differs between claims and volumes.
    /// </summary>
    public static IEnumerable<FieldError> AccessModeList(ImmutableList<string>? modes, string field, string requiredDetail)
    {
        if (modes is not { Count: > 0 })
        {
            yield return FieldError.Required(field) with { Detail = requiredDetail };
            yield break;
        }
        foreach (var mode in modes.Where(m => !AccessModes.All.Contains(m)))
            yield return FieldError.Unsupported(field, mode, AccessModes.All);
        if (modes.Contains(AccessModes.ReadWriteOncePod) && modes.Any(m => m != AccessModes.ReadWriteOncePod))
            yield return FieldError.Forbidden(field, "may not use ReadWriteOncePod with other access modes");
    }

    /// <summary>A class name, when set, is a DNS subdomain; "" means "no class".</summary>
    public static IEnumerable<FieldError> ClassName(string? name, string field) =>
        string.IsNullOrEmpty(name) ? [] : SyntaxValidation.Dns1123Subdomain(name, field);

    public static IEnumerable<FieldError> VolumeMode(string? mode, string field) =>
        mode is null || VolumeModes.All.Contains(mode) ? [] : [FieldError.Unsupported(field, mode, VolumeModes.All)];

    /// <summary>An amount of storage: a quantity above zero.</summary>
    public static IEnumerable<FieldError> PositiveStorage(Quantity quantity, string field)
    {
        var errors = QuantityValidation.Value(StorageKey, quantity, field).ToList();
        if (errors.Count == 0 && quantity.Amount <= 0)
            errors.Add(FieldError.Invalid(field, quantity.Text, NotPositive));
        return errors;
    }

    /// <summary>The storage amount of a requests or capacity map, if it has a valid one.</summary>
    public static Quantity? StorageOf(ImmutableSortedDictionary<string, Quantity>? resources) =>
        resources?.TryGetValue(StorageKey, out var q) == true && Quantity.IsValid(q.Text) ? q : null;
}
