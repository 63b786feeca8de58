using System.Text;

namespace Granary.Hostile;

/// <summary>Bodies that do not parse: malformed JSON, YAML and protobuf, invalid UTF-8.</summary>
public sealed partial class HostileCorpus
{
    private IEnumerable<HostileRequest> MalformedJson(Random random)
    {
        string[] bodies =
        [
            "", " ", "{", "}", "[]", "null", "\"pod\"", "42", "true", "{\"metadata\":", "{\"metadata\":{\"name\":\"x\"}", "{\"a\":1,}}",
            "{\"metadata\":{\"name\":\"x\"}} trailing", "{'single':'quotes'}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":01}",
            "{\"a\":\"\\u12\"}", "{\"a\":\"\\q\"}", "{\"a\" 1}", "{\"metadata\":{\"name\":\"x\"},\"metadata\":[]}", "\u0000\u0000",
            "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}/*",
            "[{\"op\":\"add\"}]", "{\"a\":\"unterminated}", "{\"a\":1e999999}", "{\"a\":-}", "{\"a\":.5}",
        ];
        foreach (var (kind, collection, _) in Templates)
            foreach (var body in bodies)
                yield return Create("malformed-json", $"{kind}: {Clip(body)}", collection, body);
        yield return Create("malformed-json", "random bytes", "pods", RandomBytes(random, 512));
    }

    private IEnumerable<HostileRequest> MalformedYaml(Random random)
    {
        string[] bodies =
        [
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tab", "a: [1, 2", "a: {b: c", "a: 'unterminated", "a: \"unterminated",
            ": :", "- - -\n- : :", "a: *undefined", "&a a: &a b", "a: !!binary not-base64!", "a: !!int notanint", "--- 1\n--- 2",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: [not, a, map]", "[1, 2, 3]", "42", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y",
            "? [complex, key]\n: value", "a: !!python/object:os.system ls", "%YAML 9.9\n---\na: b", "a: b\n  c: d", "\u0000", "apiVersion: v1\nkind: Pod\nmetadata: {name: " + ConfigMapName + "}",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wrong-name", "apiVersion: v2\nkind: ConfigMap\nmetadata:\n  name: " + ConfigMapName,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + ConfigMapName + "\ndata: {k: [list]}",
        ];
        foreach (var body in bodies)
            yield return Patch("malformed-yaml", Clip(body), "application/apply-patch+yaml", body, "&fieldManager=hostile");
        yield return new("malformed-yaml", "apply without fieldManager", "PATCH", Target, "application/apply-patch+yaml", Utf8("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + ConfigMapName), NoHeaders);
        yield return new("malformed-yaml", "random bytes", "PATCH", Target + "?fieldManager=hostile", "application/apply-patch+yaml", RandomBytes(random, 256), NoHeaders);
    }

    private IEnumerable<HostileRequest> MalformedProtobuf(Random random)
    {
        byte[] magic = [0x6b, 0x38, 0x73, 0x00];
        byte[][] bodies =
        [
            [], [0x00], magic, [.. magic, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
            [.. magic, 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], [.. magic, 0x0a, 0x02, 0x0a], [.. magic, 0x22, 0x05, 0x0a, 0x03, 0xff, 0xfe, 0xfd],
            [.. magic, 0x07], [.. magic, 0x0b, 0x0c], [.. magic, 0x2a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80],
            [.. magic, .. Enumerable.Repeat((byte)0x2a, 64).SelectMany(b => new byte[] { b, 0x7f })],
            [.. magic, .. RandomBytes(random, 64)], RandomBytes(random, 128), Utf8("{\"kind\":\"Pod\"}"),
        ];
        foreach (var (kind, collection, _) in Templates.Where(t => t.Collection is "pods" or "configmaps" or "deployments"))
            foreach (var body in bodies)
                yield return Create("malformed-protobuf", $"{kind}: {body.Length} bytes", collection, body, Protobuf);
        yield return new("malformed-protobuf", "protobuf delete options", "DELETE", Target + "?dryRun=All", Protobuf, [.. magic, 0xff, 0x01], NoHeaders);
    }

    private IEnumerable<HostileRequest> InvalidUtf8(Random random)
    {
        byte[][] bad = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x80]];
        foreach (var bytes in bad)
        {
            var hex = Convert.ToHexString(bytes);
            yield return Create("invalid-utf8", $"name with {hex}", "configmaps", [.. Utf8("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a"), .. bytes, .. Utf8("\"}}")]);
            yield return Create("invalid-utf8", $"label value with {hex}", "configmaps", [.. Utf8("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"ok\",\"labels\":{\"a\":\"b"), .. bytes, .. Utf8("\"}}}")]);
            yield return CreateMaySucceed("invalid-utf8", $"field name with {hex} (Go reads U+FFFD: an unknown field, a warning)", "configmaps", [.. Utf8("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"ok\"},\"da"), .. bytes, .. Utf8("ta\":{}}")]);
            yield return new("invalid-utf8", $"path with %{hex}", "GET", $"/api/v1/namespaces/{ns}/configmaps/a%{string.Join('%', bytes.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)))}", null, null, NoHeaders);
            yield return new("invalid-utf8", $"selector with %{hex}", "GET", $"/api/v1/namespaces/{ns}/configmaps?labelSelector=a%3D%{bytes[0]:X2}", null, null, NoHeaders);
        }
        yield return Create("invalid-utf8", "lone surrogate escape in the name", "configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\\ud800\"}}");
        yield return Create("invalid-utf8", "UTF-16 body", "configmaps", Encoding.Unicode.GetBytes("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}"));
        _ = random;
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
