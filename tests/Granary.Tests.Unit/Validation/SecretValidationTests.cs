using System.Collections.Immutable;
using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class SecretValidationTests
{
    private const string Value = "s3cr3t-value";

    private static Secret Secret(string? type, params (string Key, string Value)[] data) => new()
    {
        Metadata = new() { Name = "creds", Namespace = "default" },
        Type = type,
        Data = data.ToImmutableSortedDictionary(e => e.Key, e => Bytes.FromUtf8(e.Value), StringComparer.Ordinal),
    };

    private static Case<Secret> Row(string name, Secret input, params string[] expected) => new(name, input, expected);

    public static TheoryData<Case<Secret>> Secrets => new()
    {
        Row("opaque", Secret(SecretTypes.Opaque, ("password", Value))),
        Row("a type of one's own", Secret("example.com/token", ("t", Value))),
        Row("key with a colon", Secret(SecretTypes.Opaque, ("a:b", Value)),
            "data[a:b]: Invalid value: \"a:b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"),
        Row("exactly 1 MiB", Secret(SecretTypes.Opaque, ("a", new string('x', 1024 * 1024 - 1)), ("b", "x"))),
        Row("over 1 MiB", Secret(SecretTypes.Opaque, ("a", new string('x', 1024 * 1024)), ("b", "x")), "data: Too long: must have at most 1048576 bytes"),
        Row("tls", Secret(SecretTypes.Tls, ("tls.crt", "cert"), ("tls.key", "key"))),
        Row("tls without its keys", Secret(SecretTypes.Tls), "data[tls.crt]: Required value", "data[tls.key]: Required value"),
        Row("tls without its key", Secret(SecretTypes.Tls, ("tls.crt", "cert")), "data[tls.key]: Required value"),
        Row("dockerconfigjson", Secret(SecretTypes.DockerConfigJson, (".dockerconfigjson", """{"auths":{}}"""))),
        Row("dockerconfigjson missing", Secret(SecretTypes.DockerConfigJson), "data[.dockerconfigjson]: Required value"),
        Row("dockerconfigjson not JSON", Secret(SecretTypes.DockerConfigJson, (".dockerconfigjson", "{" + Value)),
            "data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": invalid JSON at byte 1 of line 1"),
        Row("dockerconfigjson not an object", Secret(SecretTypes.DockerConfigJson, (".dockerconfigjson", "[]")),
            "data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": cannot unmarshal array into an object"),
        Row("dockercfg", Secret(SecretTypes.DockerConfig, (".dockercfg", "{}"))),
        Row("dockercfg missing", Secret(SecretTypes.DockerConfig, (".dockerconfigjson", "{}")), "data[.dockercfg]: Required value"),
        Row("basic-auth with a username only", Secret(SecretTypes.BasicAuth, ("username", "admin"))),
        Row("basic-auth with an empty password only", Secret(SecretTypes.BasicAuth, ("password", ""))),
        Row("basic-auth without either", Secret(SecretTypes.BasicAuth), "data[username]: Required value", "data[password]: Required value"),
        Row("ssh-auth", Secret(SecretTypes.SshAuth, ("ssh-privatekey", Value))),
        Row("ssh-auth with an empty key", Secret(SecretTypes.SshAuth, ("ssh-privatekey", "")), "data[ssh-privatekey]: Required value"),
        Row("service-account-token without its annotation", Secret(SecretTypes.ServiceAccountToken),
            "metadata.annotations[kubernetes.io/service-account.name]: Required value"),
        Row("service-account-token", Secret(SecretTypes.ServiceAccountToken) with
        {
            Metadata = new() { Name = "creds", Namespace = "default", Annotations = ImmutableSortedDictionary<string, string>.Empty.Add(SecretTypes.ServiceAccountNameAnnotation, "builder") },
        }),
    };

    [Theory]
    [MemberData(nameof(Secrets))]
    public void Validate_Secret_ReportsKubernetesErrorsWithoutValues(Case<Secret> c)
    {
        var errors = SecretValidation.Validate(c.Input).Select(e => e.ToString()).ToList();

        Assert.Equal(c.Expected, errors);
        Assert.DoesNotContain(errors, e => e.Contains(Value, StringComparison.Ordinal));
    }

    public static TheoryData<Case<(Secret Old, Secret New)>> Updates => new()
    {
        new("data changes", (Secret(SecretTypes.Opaque, ("a", "1")), Secret(SecretTypes.Opaque, ("a", "2")))),
        new("type changes", (Secret(SecretTypes.Opaque, ("tls.crt", "c"), ("tls.key", "k")), Secret(SecretTypes.Tls, ("tls.crt", "c"), ("tls.key", "k"))),
            "type: Invalid value: \"kubernetes.io/tls\": field is immutable"),
        new("immutable, data changes", (Secret(SecretTypes.Opaque, ("a", "1")) with { Immutable = true }, Secret(SecretTypes.Opaque, ("a", "2")) with { Immutable = true }),
            "data: Forbidden: field is immutable when `immutable` is set"),
        new("immutable unset", (Secret(SecretTypes.Opaque, ("a", "1")) with { Immutable = true }, Secret(SecretTypes.Opaque, ("a", "1"))),
            "immutable: Forbidden: field is immutable when `immutable` is set"),
        new("immutable, unchanged", (Secret(SecretTypes.Opaque, ("a", "1")) with { Immutable = true }, Secret(SecretTypes.Opaque, ("a", "1")) with { Immutable = true })),
    };

    [Theory]
    [MemberData(nameof(Updates))]
    public void ValidateUpdate_Secret_KeepsTypeAndImmutableData(Case<(Secret Old, Secret New)> c) =>
        Assert.Equal(c.Expected, SecretValidation.ValidateUpdate(c.Input.Old, c.Input.New).Select(e => e.ToString()));

    public static TheoryData<Case<Secret>> Defaults => new()
    {
        new("no type is Opaque", new Secret { Metadata = new() { Name = "s" } }, SecretTypes.Opaque),
        new("empty type is Opaque", new Secret { Metadata = new() { Name = "s" }, Type = "" }, SecretTypes.Opaque),
        new("a type is kept", new Secret { Metadata = new() { Name = "s" }, Type = SecretTypes.Tls }, SecretTypes.Tls),
    };

    [Theory]
    [MemberData(nameof(Defaults))]
    public void Defaults_Type_IsOpaqueWhenEmpty(Case<Secret> c) => Assert.Equal(c.Expected[0], SecretDefaults.Apply(c.Input).Type);

    [Fact]
    public void Defaults_StringData_IsMergedIntoDataAndDropped_StringDataWins()
    {
        var secret = Secret(null, ("user", "old"), ("kept", "k")) with
        {
            StringData = ImmutableSortedDictionary<string, string>.Empty.Add("user", "new").Add("extra", "é"),
        };

        var defaulted = SecretDefaults.Apply(secret);

        Assert.Null(defaulted.StringData);
        Assert.Equal(["extra", "kept", "user"], defaulted.Data!.Keys);
        Assert.Equal("new", defaulted.Data["user"].ToUtf8());
        Assert.Equal("k", defaulted.Data["kept"].ToUtf8());
        Assert.Equal(new byte[] { 0xC3, 0xA9 }, defaulted.Data["extra"].Value.ToArray());
    }
}
