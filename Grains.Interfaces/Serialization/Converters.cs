using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Model;

namespace Granary.Serialization;

/// <summary>Times as Kubernetes writes them: RFC 3339 in UTC with a Z, whole seconds unless there is a fraction.</summary>
public sealed class Rfc3339JsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    public static string Format(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return utc.Ticks % TimeSpan.TicksPerSecond == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
    }
}

/// <summary>Quantities are strings on the wire; a bare number (<c>cpu: 1</c>) is accepted as Kubernetes does.</summary>
public sealed class QuantityJsonConverter : JsonConverter<Quantity>
{
    public override Quantity Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!,
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            _ => throw new JsonException($"a quantity must be a string or a number, not {reader.TokenType}"),
        };
        // Invalid text is kept, so that validation at the owning grain can name the field.
        return new Quantity(text);
    }

    public override void Write(Utf8JsonWriter writer, Quantity value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Text);
}

public sealed class IntOrStringJsonConverter : JsonConverter<IntOrString>
{
    public override IntOrString Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number => reader.GetInt32(),
            JsonTokenType.String => reader.GetString()!,
            _ => throw new JsonException($"expected a number or a string, not {reader.TokenType}"),
        };

    public override void Write(Utf8JsonWriter writer, IntOrString value, JsonSerializerOptions options)
    {
        if (value.IntValue is { } i)
            writer.WriteNumberValue(i);
        else
            writer.WriteStringValue(value.StringValue);
    }
}

/// <summary>
/// Kubernetes' MicroTime (eventTime, series.lastObservedTime): RFC 3339 with exactly six fractional digits, which Go
/// clients require when they decode it.
/// </summary>
public sealed class MicroTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
}

/// <summary>FieldsV1 is any JSON object, written back exactly as read.</summary>
public sealed class FieldsV1JsonConverter : JsonConverter<FieldsV1>
{
    public override FieldsV1 Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"fieldsV1 must be a JSON object, not {reader.TokenType}");
        using var document = JsonDocument.ParseValue(ref reader);
        return new FieldsV1(document.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, FieldsV1 value, JsonSerializerOptions options) =>
        writer.WriteRawValue(string.IsNullOrEmpty(value.Json) ? "{}" : value.Json);
}

/// <summary>
/// A <see cref="RawExtension"/> as the JSON it holds, compacted as Go's encoder compacts a raw message, keys in the
/// order given.
/// </summary>
public sealed class RawExtensionJsonConverter : JsonConverter<RawExtension>
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override RawExtension Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Compact))
            document.RootElement.WriteTo(writer);
        return new RawExtension(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    public override void Write(Utf8JsonWriter writer, RawExtension value, JsonSerializerOptions options) =>
        writer.WriteRawValue(string.IsNullOrEmpty(value.Json) ? "null" : value.Json);
}
