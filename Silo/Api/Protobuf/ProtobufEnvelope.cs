namespace Granary.Silo.Api.Protobuf;

/// <summary>
/// Kubernetes' protobuf body: the 4-byte magic <c>k8s\0</c>, then a runtime.Unknown message whose typeMeta (field 1:
/// apiVersion 1, kind 2) names the object and whose raw bytes (field 2) hold the typed message; contentEncoding (3)
/// and contentType (4) are empty for what clients send.
/// </summary>
internal sealed record ProtobufEnvelope(string ApiVersion, string Kind, byte[] Raw, string ContentEncoding, string ContentType)
{
    public static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    public static ProtobufEnvelope Read(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
            throw new ProtobufFormatException("the body does not start with the protobuf prefix \"k8s\\x00\"");
        var reader = new ProtoWireReader(body[Magic.Length..]);
        string apiVersion = "", kind = "", encoding = "", contentType = "";
        byte[] raw = [];
        while (!reader.AtEnd)
        {
            var (number, type) = reader.ReadTag();
            if (type != WireType.LengthDelimited)
            {
                reader.Skip(type);
                continue;
            }
            var value = reader.ReadLengthDelimited();
            switch (number)
            {
                case 1: (apiVersion, kind) = TypeMeta(value); break;
                case 2: raw = value.ToArray(); break;
                case 3: encoding = ProtoDecoder.Utf8Text(value); break;
                case 4: contentType = ProtoDecoder.Utf8Text(value); break;
            }
        }
        return new ProtobufEnvelope(apiVersion, kind, raw, encoding, contentType);
    }

    private static (string ApiVersion, string Kind) TypeMeta(ReadOnlySpan<byte> data)
    {
        var reader = new ProtoWireReader(data);
        string apiVersion = "", kind = "";
        while (!reader.AtEnd)
        {
            var (number, type) = reader.ReadTag();
            if (type != WireType.LengthDelimited)
            {
                reader.Skip(type);
                continue;
            }
            var value = ProtoDecoder.Utf8Text(reader.ReadLengthDelimited());
            if (number == 1)
                apiVersion = value;
            else if (number == 2)
                kind = value;
        }
        return (apiVersion, kind);
    }
}
