using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Silo.Api.Protobuf;

namespace Granary.Tests.Unit.Api.Protobuf;

/// <summary>
/// Tests only: writes a JSON object as the protobuf message the schema describes (the inverse of the decoder), and
/// the raw wire pieces the decoder's tests are built from. A JSON field the schema does not have fails the encoding,
/// so a round trip proves the schema covers the object.
/// </summary>
internal sealed class ProtoTestEncoder(ProtoSchema schema)
{
    public static byte[] Envelope(string apiVersion, string kind, byte[] raw)
    {
        var typeMeta = Concat(Field(1, apiVersion), Field(2, kind));
        return Concat([.. ProtobufEnvelope.Magic], Field(1, typeMeta), Field(2, raw), Field(3, ""), Field(4, ""));
    }

    public byte[] Encode(JsonObject json, string messageName)
    {
        var message = schema[messageName];
        var output = new MemoryStream();
        var used = new HashSet<string>();
        Write(output, json, message, used);
        var unknown = json.Select(p => p.Key).Where(k => k is not ("kind" or "apiVersion") && !used.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new InvalidOperationException($"{messageName} has no fields {string.Join(", ", unknown)}");
        return output.ToArray();
    }

    private void Write(MemoryStream output, JsonObject json, ProtoMessageSchema message, HashSet<string> used)
    {
        foreach (var field in message.InOrder)
        {
            if (field.JsonName == ProtoFieldSchema.Inline)
            {
                output.Write(Field(field.Number, EncodeNested(json, schema[field.Type], used)));
                continue;
            }
            if (json[field.JsonName] is not { } value)
                continue;
            used.Add(field.JsonName);
            switch (field.Label)
            {
                case ProtoLabel.Map:
                    foreach (var (key, item) in value.AsObject())
                        output.Write(Field(field.Number, Concat(Single(1, field.Type, JsonValue.Create(key)), Single(2, field.ValueType!, item!))));
                    break;
                case ProtoLabel.Repeated:
                    foreach (var item in value.AsArray())
                        output.Write(Single(field.Number, field.Type, item!));
                    break;
                default:
                    output.Write(Single(field.Number, field.Type, value));
                    break;
            }
        }
    }

    private byte[] EncodeNested(JsonObject json, ProtoMessageSchema message, HashSet<string> used)
    {
        var output = new MemoryStream();
        Write(output, json, message, used);
        return output.ToArray();
    }

    private byte[] Single(int number, string type, JsonNode value) => type switch
    {
        "string" => Field(number, (string)value!),
        "bytes" => Field(number, Convert.FromBase64String((string)value!)),
        "bool" => Varint(number, (bool)value! ? 1UL : 0UL),
        "int32" or "int64" => Varint(number, (ulong)(long)value!),
        "double" => Concat(Tag(number, WireType.Fixed64), BitConverter.GetBytes((double)value!)),
        "resource.Quantity" => Field(number, Field(1, (string)value!)),
        "intstr.IntOrString" => Field(number, value.GetValueKind() == JsonValueKind.String
            ? Concat(Varint(1, 1), Field(3, (string)value!))
            : Concat(Varint(1, 0), Varint(2, (ulong)(int)value!))),
        "meta.v1.Time" or "meta.v1.MicroTime" => Field(number, Time((string)value!)),
        "meta.v1.FieldsV1" or "runtime.RawExtension" => Field(number, Field(1, Encoding.UTF8.GetBytes(value.ToJsonString()))),
        _ => Field(number, Encode(value.AsObject(), type)),
    };

    private static byte[] Time(string text)
    {
        var time = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
        var nanos = (int)(time.Ticks % TimeSpan.TicksPerSecond * 100);
        return Concat(Varint(1, (ulong)time.ToUnixTimeSeconds()), nanos == 0 ? [] : Varint(2, (ulong)nanos));
    }

    public static byte[] Tag(int number, WireType type) => VarintBytes(((ulong)number << 3) | (ulong)type);

    public static byte[] Varint(int number, ulong value) => Concat(Tag(number, WireType.Varint), VarintBytes(value));

    public static byte[] Field(int number, string value) => Field(number, Encoding.UTF8.GetBytes(value));

    public static byte[] Field(int number, byte[] value) => Concat(Tag(number, WireType.LengthDelimited), VarintBytes((ulong)value.Length), value);

    public static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
