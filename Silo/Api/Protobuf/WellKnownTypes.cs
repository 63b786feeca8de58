using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Granary.Silo.Api.Protobuf;

/// <summary>
/// The messages whose JSON is not an object of their fields, by message name, as apimachinery marshals them:
/// a Quantity is its string, an IntOrString a number or a string, Time and MicroTime RFC 3339 (Go's zero time, which
/// apimachinery writes as an empty message and kubectl sends for an unset creationTimestamp, has no JSON here), a Duration Go's duration string, FieldsV1 and
/// RawExtension the JSON their bytes hold.
/// </summary>
internal static class WellKnownTypes
{
    /// <summary>Seconds of Go's zero time (0001-01-01T00:00:00Z) since the Unix epoch.</summary>
    public const long GoZeroTimeSeconds = -62135596800;

    private static readonly HashSet<string> Names =
        ["resource.Quantity", "resource.QuantityValue", "intstr.IntOrString", "meta.v1.Time", "meta.v1.MicroTime", "meta.v1.Duration", "meta.v1.FieldsV1", "runtime.RawExtension"];

    public static bool Handles(string message) => Names.Contains(message);

    /// <summary>The JSON of a well-known message, or null when it has none (a zero time, empty raw bytes).</summary>
    public static JsonNode? Decode(string message, ReadOnlySpan<byte> data, string path)
    {
        if (data.IsEmpty && message is "meta.v1.Time" or "meta.v1.MicroTime")
            return null;
        var fields = Fields(data, path);
        return message switch
        {
            "resource.Quantity" or "resource.QuantityValue" => JsonValue.Create(fields.Text(1) is { Length: > 0 } q ? q : "0"),
            "intstr.IntOrString" => fields.Number(1) == 1 ? JsonValue.Create(fields.Text(3) ?? "") : JsonValue.Create((int)fields.Number(2)),
            "meta.v1.Time" => Time(fields, "yyyy-MM-dd'T'HH:mm:ss'Z'"),
            "meta.v1.MicroTime" => Time(fields, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'"),
            "meta.v1.Duration" => JsonValue.Create(GoDuration(fields.Number(1))),
            _ => EmbeddedJson(fields.Bytes(1), message, path),
        };
    }

    private static JsonValue? Time(WellKnownFields fields, string format)
    {
        var seconds = fields.Number(1);
        if (seconds == GoZeroTimeSeconds)
            return null;
        var nanos = fields.Number(2);
        var time = DateTimeOffset.UnixEpoch.AddSeconds(seconds).AddTicks(nanos / 100);
        return JsonValue.Create(time.UtcDateTime.ToString(format, CultureInfo.InvariantCulture));
    }

    private static JsonNode? EmbeddedJson(byte[]? raw, string message, string path)
    {
        if (raw is null || raw.Length == 0)
            return null;
        try
        {
            return JsonNode.Parse(raw);
        }
        catch (JsonException e)
        {
            throw new ProtobufFormatException($"{path}: the {message} does not hold JSON: {e.Message}");
        }
    }

    /// <summary>Go's <c>time.Duration.String()</c>: "1h2m3.5s", "1.5s", "250ms", "0s".</summary>
    public static string GoDuration(long nanoseconds)
    {
        if (nanoseconds == 0)
            return "0s";
        var sign = nanoseconds < 0 ? "-" : "";
        var u = nanoseconds == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(nanoseconds);
        if (u < 1_000_000_000)
        {
            var (unit, scale) = u < 1_000 ? ("ns", 1UL) : u < 1_000_000 ? ("µs", 1_000UL) : ("ms", 1_000_000UL);
            return sign + Fraction(u, scale) + unit;
        }
        var hours = u / 3_600_000_000_000;
        var minutes = u / 60_000_000_000 % 60;
        var seconds = Fraction(u % 60_000_000_000, 1_000_000_000) + "s";
        return sign + (hours > 0 ? $"{hours}h{minutes}m{seconds}" : minutes > 0 ? $"{minutes}m{seconds}" : seconds);
    }

    private static string Fraction(ulong value, ulong scale)
    {
        var whole = (value / scale).ToString(CultureInfo.InvariantCulture);
        var rest = value % scale;
        if (rest == 0)
            return whole;
        var digits = rest.ToString(CultureInfo.InvariantCulture).PadLeft(scale.ToString(CultureInfo.InvariantCulture).Length - 1, '0').TrimEnd('0');
        return $"{whole}.{digits}";
    }

    private static WellKnownFields Fields(ReadOnlySpan<byte> data, string path)
    {
        var fields = new WellKnownFields();
        var reader = new ProtoWireReader(data);
        while (!reader.AtEnd)
        {
            var (number, type) = reader.ReadTag();
            switch (type)
            {
                case WireType.Varint:
                    fields.Numbers[number] = (long)reader.ReadVarint();
                    break;
                case WireType.LengthDelimited:
                    fields.Raw[number] = reader.ReadLengthDelimited().ToArray();
                    break;
                default:
                    throw new ProtobufFormatException($"{path}: unexpected wire type {(int)type} for field {number}");
            }
        }
        return fields;
    }

    private sealed class WellKnownFields
    {
        public Dictionary<int, long> Numbers { get; } = [];

        public Dictionary<int, byte[]> Raw { get; } = [];

        public long Number(int field) => Numbers.GetValueOrDefault(field);

        public byte[]? Bytes(int field) => Raw.GetValueOrDefault(field);

        public string? Text(int field) => Raw.TryGetValue(field, out var bytes) ? ProtoDecoder.Utf8Text(bytes) : null;
    }
}
