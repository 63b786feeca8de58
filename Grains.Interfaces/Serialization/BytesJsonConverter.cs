using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Model;

namespace Granary.Serialization;

/// <summary>
/// <see cref="Bytes"/> as a base64 string, as Kubernetes encodes <c>[]byte</c>. Invalid base64 fails as a JSON error at
/// the field's path (a 400 naming the field at the HTTP edge), with a message that never repeats the value: it may be
/// a Secret's.
/// </summary>
public sealed class BytesJsonConverter : JsonConverter<Bytes>
{
    public override Bytes Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return default;
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"expected a base64 string, not {reader.TokenType}");
        if (reader.TryGetBytesFromBase64(out var bytes))
            return new Bytes([.. bytes]);
        throw new JsonException("illegal base64 data: the value must be base64 encoded (RFC 4648, with padding)");
    }

    public override void Write(Utf8JsonWriter writer, Bytes value, JsonSerializerOptions options) =>
        writer.WriteBase64StringValue(value.Span);
}
