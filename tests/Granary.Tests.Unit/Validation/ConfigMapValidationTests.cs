using System.Collections.Immutable;
using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class ConfigMapValidationTests
{
    private const string KeyRule =
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
    private const int MiB = 1024 * 1024;

    private static ConfigMap Map(ImmutableSortedDictionary<string, string>? data = null, ImmutableSortedDictionary<string, Bytes>? binary = null, bool? immutable = null) =>
        new() { Metadata = new() { Name = "settings", Namespace = "default" }, Data = data, BinaryData = binary, Immutable = immutable };

    private static ImmutableSortedDictionary<string, string> Data(params (string Key, string Value)[] entries) =>
        entries.ToImmutableSortedDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    private static ImmutableSortedDictionary<string, Bytes> Binary(params (string Key, int Size)[] entries) =>
        entries.ToImmutableSortedDictionary(e => e.Key, e => new Bytes([.. new byte[e.Size]]), StringComparer.Ordinal);

    private static Case<ConfigMap> Row(string name, ConfigMap input, params string[] expected) => new(name, input, expected);

    public static TheoryData<Case<ConfigMap>> ConfigMaps => new()
    {
        Row("empty", Map()),
        Row("keys of every allowed character", Map(Data(("app.properties", "a=b"), ("KEY_NAME", "x"), ("key-name", ""), (".hidden", "y")))),
        Row("text and binary", Map(Data(("a", "1")), Binary(("b", 3)))),
        Row("key with a slash", Map(Data(("a/b", "x"))), $"data[a/b]: Invalid value: \"a/b\": {KeyRule}"),
        Row("key with a space", Map(null, Binary(("a b", 1))), $"binaryData[a b]: Invalid value: \"a b\": {KeyRule}"),
        Row("dot", Map(Data((".", "x"))), "data[.]: Invalid value: \".\": must not be '.'"),
        Row("dot dot", Map(Data(("..", "x"))), "data[..]: Invalid value: \"..\": must not be '..'"),
        Row("starting with dot dot", Map(Data(("..data", "x"))), "data[..data]: Invalid value: \"..data\": must not start with '..'"),
        Row("key of 253 characters", Map(Data((new string('k', 253), "x")))),
        Row("key of 254 characters", Map(Data((new string('k', 254), "x"))),
            $"data[{new string('k', 254)}]: Invalid value: \"{new string('k', 254)}\": must be no more than 253 characters"),
        Row("key in data and binaryData", Map(Data(("both", "x")), Binary(("both", 1))),
            "data[both]: Invalid value: \"both\": duplicate of key present in binaryData"),
        Row("exactly 1 MiB over both maps", Map(Data(("a", new string('x', MiB - 10))), Binary(("b", 10)))),
        Row("one byte over 1 MiB", Map(Data(("a", new string('x', MiB - 10))), Binary(("b", 11))), "[]: Too long: must have at most 1048576 bytes"),
        Row("size counts UTF-8 bytes", Map(Data(("a", new string('é', MiB / 2 + 1)))), "[]: Too long: must have at most 1048576 bytes"),
    };

    [Theory]
    [MemberData(nameof(ConfigMaps))]
    public void Validate_ConfigMap_ReportsKubernetesErrors(Case<ConfigMap> c) =>
        Assert.Equal(c.Expected, ConfigMapValidation.Validate(c.Input).Select(e => e.ToString()));

    public static TheoryData<Case<(ConfigMap Old, ConfigMap New)>> Updates => new()
    {
        new("mutable data changes", (Map(Data(("a", "1"))), Map(Data(("a", "2"))))),
        new("made immutable", (Map(Data(("a", "1"))), Map(Data(("a", "1")), immutable: true))),
        new("immutable, only labels change", (Map(Data(("a", "1")), immutable: true), Map(Data(("a", "1")), immutable: true) with { Metadata = new() { Name = "settings", Namespace = "default", Labels = Data(("x", "y")) } })),
        new("immutable, data changes", (Map(Data(("a", "1")), immutable: true), Map(Data(("a", "2")), immutable: true)),
            "data: Forbidden: field is immutable when `immutable` is set"),
        new("immutable, binaryData changes", (Map(null, Binary(("b", 1)), immutable: true), Map(null, Binary(("b", 2)), immutable: true)),
            "binaryData: Forbidden: field is immutable when `immutable` is set"),
        new("immutable unset", (Map(Data(("a", "1")), immutable: true), Map(Data(("a", "1")))),
            "immutable: Forbidden: field is immutable when `immutable` is set"),
        new("immutable set to false", (Map(Data(("a", "1")), immutable: true), Map(Data(("a", "1")), immutable: false)),
            "immutable: Forbidden: field is immutable when `immutable` is set"),
    };

    [Theory]
    [MemberData(nameof(Updates))]
    public void ValidateUpdate_ImmutableConfigMap_RefusesChangesToItsData(Case<(ConfigMap Old, ConfigMap New)> c) =>
        Assert.Equal(c.Expected, ConfigMapValidation.ValidateUpdate(c.Input.Old, c.Input.New).Select(e => e.ToString()));
}
