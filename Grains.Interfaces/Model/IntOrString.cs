using System.Globalization;
using System.Text.Json.Serialization;
using Granary.Serialization;

namespace Granary.Model;

/// <summary>A value that is a number or a name, as Kubernetes' IntOrString (probe ports: <c>8080</c> or <c>http</c>).</summary>
[GenerateSerializer, Immutable, Alias("granary.IntOrString")]
[JsonConverter(typeof(IntOrStringJsonConverter))]
public readonly record struct IntOrString
{
    [Id(0)] public int? IntValue { get; init; }
    [Id(1)] public string? StringValue { get; init; }

    public static implicit operator IntOrString(int value) => new() { IntValue = value };
    public static implicit operator IntOrString(string value) => new() { StringValue = value };

    public bool IsInt => IntValue is not null;

    public override string ToString() => IntValue?.ToString(CultureInfo.InvariantCulture) ?? StringValue ?? "";
}
