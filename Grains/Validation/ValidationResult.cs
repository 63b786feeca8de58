using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// Turns a validation's errors into the wire exception. Named apart from its namespace, so that
/// code anywhere under Granary.Grains can call it without qualifying the namespace.
/// </summary>
public static class ValidationResult
{
    public static void ThrowIfInvalid(ResourceKind kind, string name, ImmutableList<FieldError> errors)
    {
        if (!errors.IsEmpty)
            throw new InvalidException(kind.Kind, name, errors);
    }
}
