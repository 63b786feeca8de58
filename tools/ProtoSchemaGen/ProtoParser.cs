using System.Text.RegularExpressions;

namespace Granary.Tools.ProtoSchemaGen;

/// <summary>One field: its number, names, label (opt, rep, map) and type (a scalar or a message's short name).</summary>
internal sealed record ProtoField(int Number, string ProtoName, string JsonName, string Label, string Type, string? ValueType)
{
    private static readonly HashSet<string> Scalars = ["double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes"];

    /// <summary>The message this field holds (a map's value), if it holds one.</summary>
    public string? MessageType => (ValueType ?? Type) is var t && Scalars.Contains(t) ? null : ValueType ?? Type;

    public static bool IsScalar(string type) => Scalars.Contains(type);
}

internal sealed record ProtoMessage(string FullName, string Name, IReadOnlyList<ProtoField> Fields);

/// <summary>
/// Reads the subset of proto2 that go-to-protobuf writes: a package, flat messages, optional / repeated / map
/// fields. Anything else in a message (nested messages, enums, oneofs) stops the generator rather than being lost.
/// </summary>
internal static partial class ProtoParser
{
    /// <summary>Short names for packages: k8s.io.api.core.v1 → core.v1, the apimachinery ones by their last parts.</summary>
    public static string ShortPackage(string package) => package switch
    {
        "k8s.io.apimachinery.pkg.apis.meta.v1" => "meta.v1",
        "k8s.io.apimachinery.pkg.runtime" => "runtime",
        "k8s.io.apimachinery.pkg.runtime.schema" => "runtime.schema",
        "k8s.io.apimachinery.pkg.api.resource" => "resource",
        "k8s.io.apimachinery.pkg.util.intstr" => "intstr",
        _ when package.StartsWith("k8s.io.api.", StringComparison.Ordinal) => package["k8s.io.api.".Length..],
        _ => throw new InvalidDataException($"package {package} has no short name"),
    };

    public static List<ProtoMessage> Parse(string text)
    {
        var lines = text.Split('\n').Select(l => CommentRegex().Replace(l, "").Trim()).Where(l => l.Length > 0).ToList();
        var package = lines.Select(l => PackageRegex().Match(l)).First(m => m.Success).Groups[1].Value;
        var shortPackage = ShortPackage(package);
        var messages = new List<ProtoMessage>();
        for (var i = 0; i < lines.Count; i++)
        {
            var start = MessageRegex().Match(lines[i]);
            if (!start.Success)
                continue;
            var name = start.Groups[1].Value;
            var fields = new List<ProtoField>();
            for (i++; lines[i] != "}"; i++)
            {
                var map = MapFieldRegex().Match(lines[i]);
                if (map.Success)
                {
                    fields.Add(new ProtoField(int.Parse(map.Groups[4].Value), map.Groups[3].Value, map.Groups[3].Value, "map",
                        Resolve(map.Groups[1].Value, shortPackage), Resolve(map.Groups[2].Value, shortPackage)));
                    continue;
                }
                var field = FieldRegex().Match(lines[i]);
                if (!field.Success)
                    throw new InvalidDataException($"message {package}.{name}: cannot read \"{lines[i]}\"");
                fields.Add(new ProtoField(int.Parse(field.Groups[4].Value), field.Groups[3].Value, field.Groups[3].Value,
                    field.Groups[1].Value == "repeated" ? "rep" : "opt", Resolve(field.Groups[2].Value, shortPackage), null));
            }
            messages.Add(new ProtoMessage($"{shortPackage}.{name}", name, fields));
        }
        return messages;
    }

    /// <summary>A type reference as a scalar or a message's short full name (absolute, or in the same package).</summary>
    private static string Resolve(string type, string shortPackage)
    {
        if (ProtoField.IsScalar(type))
            return type;
        type = type.TrimStart('.');
        var dot = type.LastIndexOf('.');
        return dot < 0 ? $"{shortPackage}.{type}" : $"{ShortPackage(type[..dot])}.{type[(dot + 1)..]}";
    }

    [GeneratedRegex(@"//.*$")]
    private static partial Regex CommentRegex();

    [GeneratedRegex(@"^package\s+([\w.]+)\s*;")]
    private static partial Regex PackageRegex();

    [GeneratedRegex(@"^message\s+(\w+)\s*\{$")]
    private static partial Regex MessageRegex();

    [GeneratedRegex(@"^map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;$")]
    private static partial Regex MapFieldRegex();

    [GeneratedRegex(@"^(optional|repeated)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;$")]
    private static partial Regex FieldRegex();
}
