using System.Collections.Frozen;

namespace Granary.Silo.Api.Protobuf;

/// <summary>How a field repeats: once, repeated, a map, or once with its zero value left out of the JSON.</summary>
internal enum ProtoLabel
{
    Optional,

    /// <summary>A scalar Go's JSON omits when zero (a value tagged omitempty); Go's protobuf writes it anyway.</summary>
    OmitZero,
    Repeated,
    Map,
}

/// <summary>
/// One field of a message. <see cref="JsonName"/> is its name in Kubernetes' JSON; "*" means an embedded message
/// whose fields Go puts in the parent's JSON object, "-" a field that has no JSON. <see cref="Type"/> is a scalar
/// type or a message's name; a map's key type is <see cref="Type"/> and its value <see cref="ValueType"/>.
/// </summary>
internal sealed record ProtoFieldSchema(int Number, string JsonName, ProtoLabel Label, string Type, string? ValueType)
{
    public const string Inline = "*";
    public const string NoJson = "-";
}

internal sealed record ProtoMessageSchema(string Name, FrozenDictionary<int, ProtoFieldSchema> Fields, IReadOnlyList<ProtoFieldSchema> InOrder);

/// <summary>
/// The messages of the Kubernetes API by name (<c>core.v1.Pod</c>, <c>meta.v1.ObjectMeta</c>), read once from the
/// schema file embedded in the silo (<c>kubernetes.protoschema</c>, written by <c>tools/ProtoSchemaGen</c> from the
/// Kubernetes API's own .proto files).
/// </summary>
internal sealed class ProtoSchema
{
    private static readonly Lazy<ProtoSchema> Embedded = new(() =>
    {
        using var stream = typeof(ProtoSchema).Assembly.GetManifestResourceStream("Granary.Silo.Api.Protobuf.kubernetes.protoschema")
            ?? throw new InvalidOperationException("the embedded protobuf schema is missing from the build");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    });

    private readonly FrozenDictionary<string, ProtoMessageSchema> _messages;

    private ProtoSchema(FrozenDictionary<string, ProtoMessageSchema> messages) => _messages = messages;

    public static ProtoSchema Kubernetes => Embedded.Value;

    public IEnumerable<ProtoMessageSchema> Messages => _messages.Values;

    public ProtoMessageSchema? Find(string name) => _messages.GetValueOrDefault(name);

    public ProtoMessageSchema this[string name] =>
        _messages.TryGetValue(name, out var message) ? message : throw new KeyNotFoundException($"no protobuf message {name} in the schema");

    /// <summary>
    /// The message of an object with this apiVersion and kind: <c>v1</c> is core.v1, <c>apps/v1</c> apps.v1,
    /// <c>rbac.authorization.k8s.io/v1</c> rbac.v1 (a group's first label); the options every group version carries
    /// (DeleteOptions) are meta.v1's. Null when the schema has none.
    /// </summary>
    public ProtoMessageSchema? ForKind(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var package = slash < 0 ? $"core.{apiVersion}" : $"{apiVersion[..slash].Split('.')[0]}.{apiVersion[(slash + 1)..]}";
        if (apiVersion == "meta.k8s.io/v1")
            package = "meta.v1";
        return Find($"{package}.{kind}") ?? Find($"meta.v1.{kind}");
    }

    public static ProtoSchema Parse(string text)
    {
        var messages = new Dictionary<string, ProtoMessageSchema>(StringComparer.Ordinal);
        string? name = null;
        var fields = new List<ProtoFieldSchema>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            if (line.StartsWith("message ", StringComparison.Ordinal))
            {
                Close();
                name = line["message ".Length..];
                continue;
            }
            var parts = line.Split(' ');
            if (name is null || parts.Length is < 4 or > 5)
                throw new FormatException($"protobuf schema: cannot read \"{line}\"");
            var label = parts[2] switch
            {
                "opt" => ProtoLabel.Optional,
                "omit" => ProtoLabel.OmitZero,
                "rep" => ProtoLabel.Repeated,
                "map" => ProtoLabel.Map,
                _ => throw new FormatException($"protobuf schema: unknown label in \"{line}\""),
            };
            fields.Add(new ProtoFieldSchema(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), parts[1], label, parts[3], parts.Length == 5 ? parts[4] : null));
        }
        Close();
        return new ProtoSchema(messages.ToFrozenDictionary(StringComparer.Ordinal));

        void Close()
        {
            if (name is not null)
                messages[name] = new ProtoMessageSchema(name, fields.ToFrozenDictionary(f => f.Number), [.. fields]);
            fields = [];
        }
    }
}
