using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Numeric field checks. Kubernetes prints a bad number bare, where a bad string is quoted.</summary>
public static class NumberValidation
{
    public static FieldError Invalid(string field, long value, string detail) => new(field, "Invalid value", $"{value}: {detail}");

    public static IEnumerable<FieldError> NonNegative(long? value, string field)
    {
        if (value < 0)
            yield return Invalid(field, value.Value, ValidationMessages.NonNegative);
    }

    public static IEnumerable<FieldError> PortNumber(long value, string field)
    {
        if (value is < 1 or > 65535)
            yield return Invalid(field, value, ValidationMessages.InclusiveRange(1, 65535));
    }

    /// <summary>A port given by number or by name (probe ports).</summary>
    public static IEnumerable<FieldError> PortNumberOrName(IntOrString port, string field) =>
        port.StringValue is { } name && port.IntValue is null
            ? SyntaxValidation.PortName(name, field)
            : PortNumber(port.IntValue ?? 0, field);
}
