using System.Text;
using System.Text.Json.Nodes;

namespace Granary.Silo.Api.Protobuf;

/// <summary>What a protobuf message decodes to: its JSON, and the fields the schema does not know, by path.</summary>
internal sealed record DecodedMessage(JsonObject Json, IReadOnlyList<string> UnknownFields);

/// <summary>
/// Turns a protobuf message of the Kubernetes API into the JSON Kubernetes would write for the same object, driven by
/// the schema alone (no code per kind): fields by their JSON names, embedded Go structs inlined, repeated fields as
/// arrays (packed or not), maps as objects, bytes as base64, the well-known messages (<see cref="WellKnownTypes"/>)
/// by their own JSON forms.
/// Go's zero values: Go's protobuf writes a field that is a value (not a pointer) even when it is empty, where Go's
/// JSON leaves it out (omitempty). The schema marks those fields (<see cref="ProtoLabel.OmitZero"/>, from the Go
/// types' tags), and their zero value (an empty string, false, 0) is dropped, as is Go's zero time; so the result is
/// what Go's JSON would be, and what a JSON client sends. Numbers and booleans of pointer fields (replicas: 0,
/// automountServiceAccountToken: false) are kept as sent.
/// A field number the schema does not have is skipped and reported in <see cref="DecodedMessage.UnknownFields"/>,
/// for the request's fieldValidation. Malformed data throws <see cref="ProtobufFormatException"/>.
/// </summary>
internal sealed class ProtoDecoder(ProtoSchema schema)
{
    private const int MaxDepth = 64;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public DecodedMessage Decode(ReadOnlySpan<byte> data, string messageName)
    {
        var unknown = new List<string>();
        var json = Message(data, schema[messageName], "", unknown, 0) as JsonObject ?? [];
        return new DecodedMessage(json, unknown);
    }

    public static string Utf8Text(ReadOnlySpan<byte> bytes, string path = "a string field")
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ProtobufFormatException($"{path}: not valid UTF-8");
        }
    }

    private JsonNode? Message(ReadOnlySpan<byte> data, ProtoMessageSchema message, string path, List<string> unknown, int depth)
    {
        if (depth > MaxDepth)
            throw new ProtobufFormatException($"{path}: messages nested more than {MaxDepth} deep");
        if (WellKnownTypes.Handles(message.Name))
            return WellKnownTypes.Decode(message.Name, data, path);
        var json = new JsonObject();
        var reader = new ProtoWireReader(data);
        while (!reader.AtEnd)
        {
            var (number, wireType) = reader.ReadTag();
            if (!message.Fields.TryGetValue(number, out var field))
            {
                unknown.Add($"unknown field \"{Join(path, $"<protobuf field {number}>")}\"");
                reader.Skip(wireType);
                continue;
            }
            var name = field.JsonName;
            var child = name == ProtoFieldSchema.Inline ? path : Join(path, name);
            switch (field.Label)
            {
                case ProtoLabel.Map:
                    var (key, value) = MapEntry(Expect(ref reader, wireType, WireType.LengthDelimited, child), field, child, unknown, depth);
                    if (json[name] is not JsonObject map)
                        json[name] = map = [];
                    map[key] = value;
                    break;
                case ProtoLabel.Repeated:
                    if (json[name] is not JsonArray items)
                        json[name] = items = [];
                    if (wireType == WireType.LengthDelimited && IsPackable(field.Type))
                    {
                        var packed = new ProtoWireReader(reader.ReadLengthDelimited());
                        while (!packed.AtEnd)
                            items.Add(Value(ref packed, Scalar(field.Type), field.Type, $"{child}[{items.Count}]", unknown, depth));
                    }
                    else
                    {
                        items.Add(Value(ref reader, wireType, field.Type, $"{child}[{items.Count}]", unknown, depth));
                    }
                    break;
                default:
                    var decoded = Value(ref reader, wireType, field.Type, child, unknown, depth);
                    if (name == ProtoFieldSchema.NoJson)
                        break;
                    if (name == ProtoFieldSchema.Inline)
                    {
                        foreach (var (inner, innerValue) in (decoded as JsonObject ?? []).ToList())
                            json[inner] = innerValue?.DeepClone();
                    }
                    else if (decoded is null || field.Label == ProtoLabel.OmitZero && IsZero(decoded))
                    {
                        json.Remove(name);
                    }
                    else
                    {
                        json[name] = decoded;
                    }
                    break;
            }
        }
        return json;
    }

    private (string Key, JsonNode? Value) MapEntry(ReadOnlySpan<byte> entry, ProtoFieldSchema field, string path, List<string> unknown, int depth)
    {
        var reader = new ProtoWireReader(entry);
        JsonNode? key = null, value = null;
        var hasValue = false;
        while (!reader.AtEnd)
        {
            var (number, wireType) = reader.ReadTag();
            switch (number)
            {
                case 1: key = Value(ref reader, wireType, field.Type, path, unknown, depth); break;
                case 2: value = Value(ref reader, wireType, field.ValueType!, $"{path}[{key}]", unknown, depth); hasValue = true; break;
                default: reader.Skip(wireType); break;
            }
        }
        var text = key?.ToString() ?? "";
        // A missing value is the value type's zero, as in Go's map decoding.
        return (text, hasValue ? value : Zero(field.ValueType!));
    }

    private JsonNode? Value(ref ProtoWireReader reader, WireType wireType, string type, string path, List<string> unknown, int depth)
    {
        Expect(wireType, Scalar(type), type, path);
        switch (type)
        {
            case "string": return JsonValue.Create(Utf8Text(reader.ReadLengthDelimited(), path));
            case "bytes": return JsonValue.Create(Convert.ToBase64String(reader.ReadLengthDelimited()));
            case "bool": return JsonValue.Create(reader.ReadVarint() != 0);
            case "int32": return JsonValue.Create((int)reader.ReadVarint());
            case "int64": return JsonValue.Create((long)reader.ReadVarint());
            case "uint32": return JsonValue.Create((uint)reader.ReadVarint());
            case "uint64": return JsonValue.Create(reader.ReadVarint());
            case "sint32": return JsonValue.Create((int)ZigZag(reader.ReadVarint()));
            case "sint64": return JsonValue.Create(ZigZag(reader.ReadVarint()));
            case "fixed32": return JsonValue.Create(reader.ReadFixed32());
            case "sfixed32": return JsonValue.Create((int)reader.ReadFixed32());
            case "float": return JsonValue.Create(BitConverter.Int32BitsToSingle((int)reader.ReadFixed32()));
            case "fixed64": return JsonValue.Create(reader.ReadFixed64());
            case "sfixed64": return JsonValue.Create((long)reader.ReadFixed64());
            case "double": return JsonValue.Create(BitConverter.Int64BitsToDouble((long)reader.ReadFixed64()));
            default: return Message(reader.ReadLengthDelimited(), schema[type], path, unknown, depth + 1);
        }
    }

    private static ReadOnlySpan<byte> Expect(ref ProtoWireReader reader, WireType actual, WireType expected, string path)
    {
        Expect(actual, expected, "map entry", path);
        return reader.ReadLengthDelimited();
    }

    private static void Expect(WireType actual, WireType expected, string type, string path)
    {
        if (actual != expected)
            throw new ProtobufFormatException($"{path}: wire type {(int)actual} does not fit a {type} field (wire type {(int)expected})");
    }

    private static WireType Scalar(string type) => type switch
    {
        "bool" or "int32" or "int64" or "uint32" or "uint64" or "sint32" or "sint64" => WireType.Varint,
        "fixed32" or "sfixed32" or "float" => WireType.Fixed32,
        "fixed64" or "sfixed64" or "double" => WireType.Fixed64,
        _ => WireType.LengthDelimited,
    };

    private static bool IsPackable(string type) => Scalar(type) != WireType.LengthDelimited;

    private static long ZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static bool IsZero(JsonNode value) => value is JsonValue v
        && (v.TryGetValue<string>(out var s) ? s.Length == 0
            : v.TryGetValue<bool>(out var b) ? !b
            : v.ToJsonString() is "0" or "0.0");

    private JsonNode? Zero(string type) => type switch
    {
        "string" => JsonValue.Create(""),
        "bytes" => JsonValue.Create(""),
        "bool" => JsonValue.Create(false),
        _ when Scalar(type) != WireType.LengthDelimited => JsonValue.Create(0),
        _ => Message([], schema[type], "", [], 0),
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
