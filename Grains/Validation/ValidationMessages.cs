namespace Granary.Grains.Validation;

/// <summary>
/// Kubernetes' wording for the rules not already in <see cref="Granary.Selectors.LabelSyntax"/>,
/// so that messages read exactly as kubectl users know them.
/// </summary>
internal static class ValidationMessages
{
    public const string NonNegative = "must be greater than or equal to 0";
    public const string NotAnInteger = "must be an integer";
    public const string Immutable = "field is immutable";
    public const string MoreThanOneHandler = "may not specify more than 1 handler type";
    public const string NoHandler = "must specify a handler type";

    public static string MaxLength(int length) => $"must be no more than {length} characters";

    public static string InclusiveRange(long low, long high) => $"must be between {low} and {high}, inclusive";
}
