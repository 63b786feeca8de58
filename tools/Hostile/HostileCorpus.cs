using System.Text;
using System.Text.Json.Nodes;

namespace Granary.Hostile;

/// <summary>
/// Hostile requests for one namespace, the same ones for the same seed: every category in turn, each drawing its
/// variations from one seeded Random, until the count is reached. The objects the patches aim at are named in
/// <see cref="Setup"/>; creates are dry runs, so a run leaves nothing behind but its namespace.
/// </summary>
public sealed class HostileCorpus(string ns)
{
    public const string ConfigMapName = "hostile-target";

    private const string Json = "application/json";
    private const string Protobuf = "application/vnd.kubernetes.protobuf";
    private static readonly (string Name, string Value)[] NoHeaders = [];

    /// <summary>The valid requests that make the namespace and the object patches aim at (201, or 409 when they exist).</summary>
    public IReadOnlyList<HostileRequest> Setup() =>
    [
        new("setup", "the namespace", "POST", "/api/v1/namespaces", Json, Utf8(("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + (ns) + "\"}}")), NoHeaders),
        new("setup", "the configmap patches aim at", "POST", $"/api/v1/namespaces/{ns}/configmaps", Json, Utf8(("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + (ConfigMapName) + "\",\"labels\":{\"app\":\"x\"}},\"data\":{\"k\":\"v\"}}")), NoHeaders),
    ];

    /// <summary>The namespace's deletion, which takes the objects with it.</summary>
    public HostileRequest Teardown() => new("teardown", "the namespace", "DELETE", $"/api/v1/namespaces/{ns}", null, null, NoHeaders);

    /// <summary><paramref name="count"/> requests from every category in turn, the same for the same seed.</summary>
    public IReadOnlyList<HostileRequest> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var result = new List<HostileRequest>(count);
        while (result.Count < count)
        {
            var round = Categories().Select(category => new Queue<HostileRequest>(category(random))).ToList();
            while (result.Count < count && round.Any(q => q.Count > 0))
            {
                foreach (var queue in round)
                {
                    if (result.Count < count && queue.TryDequeue(out var request))
                        result.Add(request);
                }
            }
        }
        return result;
    }

    private IEnumerable<Func<Random, IEnumerable<HostileRequest>>> Categories() =>
    [
        MalformedJson, MalformedYaml, MalformedProtobuf, WrongTypes, Names, InvalidUtf8, DeepNesting, YamlAliases, Huge,
        AbsurdNumbers, Selectors, BadPatches, PathTricks, BadHeaders,
    ];

    // Templates: valid objects of several kinds, each with metadata, spec and status to put wrong types into.
    private static readonly (string Kind, string Collection, string Json)[] Templates =
    [
        ("Pod", "pods", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"x"},"annotations":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"busybox","command":["sleep","1"],"ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{"limits":{"cpu":"100m","memory":"64Mi"}},"env":[{"name":"A","value":"b"}]}],"terminationGracePeriodSeconds":30,"restartPolicy":"Always","nodeSelector":{"k":"v"}},"status":{"phase":"Pending"}}"""),
        ("ConfigMap", "configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"app":"x"}},"data":{"k":"v"}}"""),
        ("Service", "services", """{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"selector":{"app":"x"},"ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"}],"type":"ClusterIP"}}"""),
        ("Deployment", "deployments", """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}},"status":{"replicas":0}}"""),
        ("Secret", "secrets", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"type":"Opaque","data":{"k":"dmFsdWU="}}"""),
    ];

    private string CollectionOf(string collection) => collection == "deployments"
        ? $"/apis/apps/v1/namespaces/{ns}/deployments"
        : $"/api/v1/namespaces/{ns}/{collection}";

    private HostileRequest Create(string category, string description, string collection, string body, string contentType = Json, bool maySucceed = false) =>
        new(category, description, "POST", CollectionOf(collection) + "?dryRun=All", contentType, Utf8(body), NoHeaders, maySucceed);

    private HostileRequest Create(string category, string description, string collection, byte[] body, string contentType = Json) =>
        new(category, description, "POST", CollectionOf(collection) + "?dryRun=All", contentType, body, NoHeaders);

    private HostileRequest CreateMaySucceed(string category, string description, string collection, byte[] body) =>
        Create(category, description, collection, body) with { MaySucceed = true };

    private string Target => $"/api/v1/namespaces/{ns}/configmaps/{ConfigMapName}";

    private HostileRequest Patch(string category, string description, string contentType, string body, string query = "") =>
        new(category, description, "PATCH", Target + "?dryRun=All" + query, contentType, Utf8(body), NoHeaders);

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

    private IEnumerable<HostileRequest> WrongTypes(Random random)
    {
        foreach (var (kind, collection, json) in Templates)
        {
            var template = JsonNode.Parse(json)!;
            foreach (var (path, node) in Paths(template, ""))
            {
                if (path is "apiVersion" or "kind")
                    continue;
                foreach (var wrong in WrongValuesFor(node, random))
                {
                    var changed = template.DeepClone();
                    var body = Replace(changed, path, wrong);
                    // A quantity may be a JSON number in kube-apiserver too (resource.Quantity reads both).
                    var quantityNumber = path.Contains(".resources.", StringComparison.Ordinal) && char.IsAsciiDigit(wrong[0]);
                    yield return Create("wrong-types", $"{kind} {path} = {Clip(wrong)}", collection, body, maySucceed: wrong == "null" || quantityNumber);
                }
            }
        }
    }

    private static IEnumerable<string> WrongValuesFor(JsonNode? node, Random random)
    {
        string[] all = ["null", "\"text\"", "42", "-1.5", "true", "{}", "[]", "{\"a\":{\"b\":[1]}}", "[\"a\",1,null]", "1e400", "18446744073709551616"];
        var kind = node?.GetValueKind();
        var wrong = all.Where(v => kind switch
        {
            System.Text.Json.JsonValueKind.String => !v.StartsWith('"'),
            System.Text.Json.JsonValueKind.Number => v is not ("42" or "-1.5" or "1e400" or "18446744073709551616"),
            System.Text.Json.JsonValueKind.Object => !v.StartsWith('{'),
            System.Text.Json.JsonValueKind.Array => !v.StartsWith('['),
            System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => v != "true",
            _ => true,
        }).ToList();
        // Three of them, drawn: every kind of wrong value turns up over a run, without multiplying the corpus.
        return wrong.OrderBy(_ => random.Next()).Take(3).Append("null").Distinct();
    }

    private IEnumerable<HostileRequest> Names(Random random)
    {
        string[] names =
        [
            "", "UPPER", "-leading", "trailing-", "has space", "under_score", "dots..twice", ".", "..", "a/b", "ünïcödé", "\u202eevil", "a\u0000b",
            new string('a', 254), new string('a', 64) + "." + new string('b', 64), new string('x', 100_000), "1234567890", "name;rm -rf",
        ];
        // Valid where kube-apiserver says so: a subdomain checks no label's length; label keys allow upper case, "_" and "..".
        string[] validNames = ["1234567890", new string('a', 64) + "." + new string('b', 64)];
        string[] validGenerateNames = [.. validNames, "trailing-"];
        string[] validLabels = ["UPPER", "under_score", "dots..twice", "1234567890", "trailing-"];
        foreach (var name in names)
        {
            var quoted = JsonValue.Create(name)!.ToJsonString();
            yield return Create("names", $"configmap named {Clip(name)}", "configmaps", ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":" + quoted + "}}"), maySucceed: validNames.Contains(name));
            yield return Create("names", $"service named {Clip(name)}", "services", ("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":" + quoted + "},\"spec\":{\"ports\":[{\"port\":80}]}}"));
            yield return Create("names", $"generateName {Clip(name)}", "configmaps", ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"generateName\":" + quoted + "}}"), maySucceed: validGenerateNames.Contains(name));
            yield return Create("names", $"label {Clip(name)}", "configmaps", ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"ok\",\"labels\":{" + quoted + ":" + quoted + "}}}"), maySucceed: validLabels.Contains(name));
            if (name.Length is > 0 and < 1000 && !name.Contains('/'))
                yield return new("names", $"get of {Clip(name)}", "GET", $"/api/v1/namespaces/{ns}/configmaps/{Uri.EscapeDataString(name)}-missing", null, null, NoHeaders, StatusBodyOptional: name.Contains('\0'));
        }
        yield return Create("names", "namespace in the body differs", "configmaps", ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"ok\",\"namespace\":\"elsewhere\"}}"));
        yield return new("names", "namespace that cannot be", "GET", "/api/v1/namespaces/NOT_A_NAMESPACE/pods/x", null, null, NoHeaders);
        _ = random;
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

    private IEnumerable<HostileRequest> DeepNesting(Random random)
    {
        foreach (var depth in new[] { 65, 200, 10_000, 100_000 })
        {
            var arrays = new string('[', depth) + new string(']', depth);
            var objects = string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
            yield return Create("deep-nesting", $"{depth} arrays in data", "configmaps", ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"deep\"},\"data\":" + arrays + "}"));
            yield return Create("deep-nesting", $"{depth} objects in spec", "pods", ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"deep\"},\"spec\":" + objects + "}"));
            yield return Patch("deep-nesting", $"{depth} objects in a merge patch", "application/merge-patch+json", ("{\"metadata\":{\"annotations\":" + objects + "}}"));
            yield return Patch("deep-nesting", $"{depth} objects in a strategic merge patch", "application/strategic-merge-patch+json", ("{\"data\":" + objects + "}"));
            yield return Patch("deep-nesting", $"{depth} arrays in a JSON patch value", "application/json-patch+json", ("[{\"op\":\"add\",\"path\":\"/data/x\",\"value\":" + arrays + "}]"));
            yield return Patch("deep-nesting", $"{depth} flow sequences in an apply", "application/apply-patch+yaml", $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {ConfigMapName}\ndata: {arrays}", "&fieldManager=hostile");
            yield return Patch("deep-nesting", $"{Math.Min(depth, 2000)} block mappings in an apply", "application/apply-patch+yaml",
                $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {ConfigMapName}\ndata:\n" + string.Concat(Enumerable.Range(1, Math.Min(depth, 2000)).Select(i => new string(' ', i) + "a:\n")), "&fieldManager=hostile");
        }
        _ = random;
    }

    private IEnumerable<HostileRequest> YamlAliases(Random random)
    {
        var laughs = new StringBuilder($"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {ConfigMapName}\n  labels:\n    a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var i = 1; i < 10; i++)
            laughs.Append($"    a{i}: &a{i} [*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1}]\n");
        yield return Patch("yaml-aliases", "billion laughs in labels", "application/apply-patch+yaml", laughs.ToString(), "&fieldManager=hostile");
        yield return Patch("yaml-aliases", "billion laughs in data", "application/apply-patch+yaml", laughs.ToString().Replace("  labels:", "data:\n  x:", StringComparison.Ordinal), "&fieldManager=hostile");
        yield return Patch("yaml-aliases", "alias to itself", "application/apply-patch+yaml", $"apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: {ConfigMapName}\n  labels: *m", "&fieldManager=hostile");
        yield return Patch("yaml-aliases", "aliases of a mapping (valid YAML, wrong types)", "application/apply-patch+yaml", $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {ConfigMapName}\n  labels: &l {{a: b}}\n  annotations:\n    x: *l", "&fieldManager=hostile");
        _ = random;
    }

    private IEnumerable<HostileRequest> Huge(Random random)
    {
        var fourMiB = new string('a', 4 * 1024 * 1024);
        yield return Create("huge", "4 MiB configmap (over the body limit)", "configmaps", ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"huge\"},\"data\":{\"k\":\"" + (fourMiB) + "\"}}"));
        yield return Create("huge", "2 MiB configmap (over the object limit)", "configmaps", ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"huge\"},\"data\":{\"k\":\"" + (fourMiB[..(2 * 1024 * 1024)]) + "\"}}"));
        yield return Create("huge", "300 KiB of annotations", "configmaps", ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"huge\",\"annotations\":{\"a\":\"" + (fourMiB[..(300 * 1024)]) + "\"}}}"));
        yield return Create("huge", "70 KiB label value", "configmaps", ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"huge\",\"labels\":{\"a\":\"" + (fourMiB[..(70 * 1024)]) + "\"}}}"));
        var many = string.Join(',', Enumerable.Range(0, 20_000).Select(i => $"\"k{i}\":\"{i}\""));
        yield return Create("huge", "20000 labels, some invalid", "configmaps", ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"huge\",\"labels\":{" + many + ",\"-bad\":\"x\"}}}"));
        yield return Patch("huge", "merge patch adding 300 KiB of annotations", "application/merge-patch+json", ("{\"metadata\":{\"annotations\":{\"a\":\"" + (fourMiB[..(300 * 1024)]) + "\"}}}"));
        yield return new("huge", "Content-Length far beyond the limit, body never sent", "POST", CollectionOf("configmaps"), Json, null, [("Content-Length", "99999999999")]);
        yield return new("huge", "chunked body beyond the limit", "POST", CollectionOf("configmaps") + "?dryRun=All", Json, Chunked(fourMiB), [("Transfer-Encoding", "chunked")]);
        _ = random;
    }

    private IEnumerable<HostileRequest> AbsurdNumbers(Random random)
    {
        string[] numbers = ["-1", "0", "2147483648", "9223372036854775808", "-9223372036854775809", "1e30", "1.5", "\"5\"", "1e400"];
        foreach (var n in numbers)
        {
            yield return Create("absurd-numbers", $"replicas {n}", "deployments", ("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":" + (n) + ",\"selector\":{\"matchLabels\":{\"app\":\"x\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"x\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}"), maySucceed: n == "0" || IsQuoted(n));
            yield return Create("absurd-numbers", $"port {n}", "services", ("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[{\"port\":" + n + "}]}}"), maySucceed: IsQuoted(n));
            yield return Create("absurd-numbers", $"containerPort {n}", "pods", ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"ports\":[{\"containerPort\":" + n + "}]}]}}"), maySucceed: IsQuoted(n));
            yield return Create("absurd-numbers", $"terminationGracePeriodSeconds {n}", "pods", ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"terminationGracePeriodSeconds\":" + (n) + ",\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}"), maySucceed: n is "0" or "2147483648" || IsQuoted(n));
            yield return Create("absurd-numbers", $"activeDeadlineSeconds {n}", "pods", ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"activeDeadlineSeconds\":" + (n) + ",\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}"), maySucceed: n is "2147483648" || IsQuoted(n));
        }
        string[] quantities = ["-1", "abc", "1e1000", "99999999999999999999999Ei", "1.2.3", "", "0x10", "1 Gi", "NaN", "∞"];
        foreach (var q in quantities)
            yield return Create("absurd-numbers", $"cpu limit \"{q}\"", "pods", ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"resources\":{\"limits\":{\"cpu\":\"" + (q) + "\"}}}]}}"));
        string[] queries =
        [
            "limit=-1", "limit=abc", "limit=99999999999999999999", "continue=garbage", "continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTF9",
            "resourceVersion=abc", "resourceVersion=-1", "resourceVersion=99999999999999999999", "resourceVersionMatch=Bogus",
            "resourceVersion=1&resourceVersionMatch=Exact&limit=1&continue=x", "timeoutSeconds=-5&watch=false", "timeoutSeconds=abc",
        ];
        foreach (var query in queries)
            yield return new("absurd-numbers", $"list with {query}", "GET", $"/api/v1/namespaces/{ns}/configmaps?{query}", null, null, NoHeaders);
        foreach (var grace in new[] { "-10", "abc", "99999999999999999999" })
            yield return new("absurd-numbers", $"delete with gracePeriodSeconds={grace}", "DELETE", $"{Target}?dryRun=All&gracePeriodSeconds={grace}", null, null, NoHeaders, MaySucceed: grace == "-10");
        yield return new("absurd-numbers", "delete options with a negative grace period", "DELETE", $"{Target}?dryRun=All", Json, Utf8("""{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":"soon"}"""), NoHeaders);
        _ = random;
    }

    private IEnumerable<HostileRequest> Selectors(Random random)
    {
        string[] labels = ["a in (", "!!", "a=b,", "=x", "a==b==c", "a notin", "a in (b,,c)", "a=" + new string('b', 70_000), "a!=", "(a)", "a>b", "🙂=x", "a in b"];
        // kube-apiserver's parsers take these: empty values ("a!=", "a in (b,,c)") and empty terms are allowed.
        string[] valid = ["a in (b,,c)", "a!=", "metadata.name=a,,", "status.phase=="];
        foreach (var selector in labels)
            yield return new("selectors", $"labelSelector {Clip(selector)}", "GET", $"/api/v1/namespaces/{ns}/configmaps?labelSelector={Uri.EscapeDataString(selector)}", null, null, NoHeaders, MaySucceed: valid.Contains(selector));
        string[] fields = ["spec.unknown=x", "metadata.name", "status.phase==", "=x", "metadata.name in (a)", "metadata.name=a,,", "a.b.c.d=e"];
        foreach (var selector in fields)
            yield return new("selectors", $"fieldSelector {Clip(selector)}", "GET", $"/api/v1/namespaces/{ns}/pods?fieldSelector={Uri.EscapeDataString(selector)}", null, null, NoHeaders, MaySucceed: valid.Contains(selector));
        _ = random;
    }

    private IEnumerable<HostileRequest> BadPatches(Random random)
    {
        string[] jsonPatches =
        [
            "{}", "\"x\"", "[1]", "[{}]", "[{\"op\":\"explode\",\"path\":\"/data\"}]", "[{\"op\":\"add\"}]", "[{\"op\":\"add\",\"path\":\"data\"}]",
            "[{\"op\":\"remove\",\"path\":\"/data/missing\"}]", "[{\"op\":\"replace\",\"path\":\"/nope/x\",\"value\":1}]",
            "[{\"op\":\"test\",\"path\":\"/data/k\",\"value\":\"other\"}]", "[{\"op\":\"move\",\"from\":\"/data/missing\",\"path\":\"/data/x\"}]",
            "[{\"op\":\"copy\",\"from\":\"/metadata\",\"path\":\"/metadata/labels\"}]", "[{\"op\":\"add\",\"path\":\"/metadata/finalizers/99999999999999999999\",\"value\":\"x\"}]",
            "[{\"op\":\"add\",\"path\":\"/metadata/finalizers/-1\",\"value\":\"x\"}]", "[{\"op\":\"replace\",\"path\":\"/kind\",\"value\":\"Pod\"}]",
            "[{\"op\":\"replace\",\"path\":\"/metadata/name\",\"value\":\"other\"}]", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[]}]",
            "[{\"op\":\"add\",\"path\":\"/data/~2\",\"value\":\"x\"}]", "[{\"op\":\"replace\",\"path\":\"/metadata/labels\",\"value\":{\"-bad\":\"x\"}}]",
        ];
        foreach (var patch in jsonPatches)
            yield return Patch("bad-patches", $"JSON patch {Clip(patch)}", "application/json-patch+json", patch);
        string[] mergePatches =
        [
            "[]", "\"x\"", "42", "null", "{\"metadata\":[]}", "{\"metadata\":{\"name\":\"other\"}}", "{\"kind\":\"Pod\"}", "{\"apiVersion\":\"v9\"}",
            "{\"data\":\"not-a-map\"}", "{\"metadata\":{\"labels\":{\"-bad\":\"x\"}}}", "{\"metadata\":{\"resourceVersion\":\"abc\"}}",
            "{\"metadata\":{\"resourceVersion\":\"1\"}}", "{\"metadata\":{\"uid\":\"other\"}}",
        ];
        // Known differences, counted but not failed: a dry-run patch does not check a resourceVersion or uid it names
        // (kube-apiserver answers 409 Conflict), and unknown strategic directives are ignored (kube refuses them).
        string[] lenient = ["{\"metadata\":{\"resourceVersion\":\"1\"}}", "{\"metadata\":{\"uid\":\"other\"}}"];
        foreach (var patch in mergePatches)
        {
            yield return Patch("bad-patches", $"merge patch {Clip(patch)}", "application/merge-patch+json", patch) with { MaySucceed = lenient.Contains(patch) };
            yield return Patch("bad-patches", $"strategic patch {Clip(patch)}", "application/strategic-merge-patch+json", patch) with { MaySucceed = lenient.Contains(patch) };
        }
        string[] strategic =
        [
            "{\"$patch\":\"explode\"}", "{\"metadata\":{\"$patch\":\"replace\",\"name\":1}}", "{\"$setElementOrder/data\":\"x\"}",
            "{\"$retainKeys\":\"x\"}", "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":{}}}", "{\"metadata\":{\"finalizers\":[{\"$patch\":\"delete\"}]}}",
        ];
        string[] ignoredDirectives = ["{\"$setElementOrder/data\":\"x\"}", "{\"$retainKeys\":\"x\"}", "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":{}}}"];
        foreach (var patch in strategic)
            yield return Patch("bad-patches", $"strategic directive {Clip(patch)}", "application/strategic-merge-patch+json", patch) with { MaySucceed = ignoredDirectives.Contains(patch) };
        yield return Patch("bad-patches", "patch with application/json", Json, "{\"data\":{\"a\":\"b\"}}");
        yield return Patch("bad-patches", "patch with text/plain", "text/plain", "{\"data\":{\"a\":\"b\"}}");
        yield return new("bad-patches", "patch without Content-Type", "PATCH", Target, null, Utf8("{}"), NoHeaders);
        yield return new("bad-patches", "patch of a missing object", "PATCH", $"/api/v1/namespaces/{ns}/configmaps/missing", "application/merge-patch+json", Utf8("{}"), NoHeaders);
        yield return new("bad-patches", "patch of a collection", "PATCH", $"/api/v1/namespaces/{ns}/configmaps", "application/merge-patch+json", Utf8("{}"), NoHeaders);
        _ = random;
    }

    private IEnumerable<HostileRequest> PathTricks(Random random)
    {
        string[] paths =
        [
            $"/api/v1/namespaces/{ns}/../../pods", "/api/v1/namespaces/%2e%2e/pods", $"/api/v1/namespaces/{ns}/configmaps/a%2Fb", $"/api/v1/namespaces/{ns}/configmaps/a%252Fb",
            "/api/v9/pods", "/apis/apps/v7/deployments", "/apis/no.such.group/v1/things", "/api/v1/foos", $"/api/v1/namespaces/{ns}/pods/x/unknownsub",
            $"/api/v1/namespaces/{ns}/configmaps/{ConfigMapName}/status/extra", "/api/v1/pods;x", "/api/v1/namespaces/%00/pods", "/api/v1/namespaces//pods",
            $"/api/v1/namespaces/{ns}/configmaps/{ConfigMapName}/a/b/c/d/e", "/api/v1/" + string.Concat(Enumerable.Repeat("x/", 4000)), "/apis/", "/apis/apps",
            "/api/v1/watch/namespaces/NOPE/pods/x/y/z", "/%", "/api/v1/namespaces/%zz/pods", "/api/v1/namespaces/" + ns + "/configmaps?watch=maybe",
            "/api/v1/namespaces/" + ns + "/configmaps?fieldValidation=Bogus", "/api/v1/namespaces/" + ns + "/configmaps?%zz=1", "/openapi/v3/apis/no/v1",
            "/api/v1/nodes/x/proxy/../../../etc/passwd", "/api/v1/namespaces/" + ns + "/services/nope:80/proxy/", "/api/v1/namespaces/" + ns + "/pods/nope/log",
            "/api/v1/namespaces/" + ns + "/pods/nope/exec?command=sh", "/version/../api/v1/secrets", "/api/v1/namespaces/" + ns + "/configmaps/" + ConfigMapName + "?dryRun=Yes",
        ];
        // Answered 200 by kube-apiserver too: dot segments are removed before routing (RFC 3986), a list in a namespace
        // that cannot exist is empty, unknown and write-only parameters are ignored on a read, and /apis/GROUP is discovery.
        string[] readable =
        [
            $"/api/v1/namespaces/{ns}/../../pods", "/api/v1/namespaces/%2e%2e/pods", "/version/../api/v1/secrets", "/api/v1/namespaces/%zz/pods",
            "/api/v1/namespaces/" + ns + "/configmaps?%zz=1", "/api/v1/namespaces/" + ns + "/configmaps?fieldValidation=Bogus",
            "/api/v1/namespaces/" + ns + "/configmaps/" + ConfigMapName + "?dryRun=Yes", "/apis/", "/apis/apps",
        ];
        foreach (var path in paths)
        {
            yield return new("path-tricks", $"GET {Clip(path)}", "GET", path, null, null, NoHeaders, MaySucceed: readable.Contains(path), StatusBodyOptional: path.Length > 8000 || path.Contains('%') && !path.Contains("%2", StringComparison.Ordinal));
            yield return new("path-tricks", $"PUT {Clip(path)}", "PUT", path, Json, Utf8("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}"), NoHeaders, StatusBodyOptional: path.Length > 8000 || path.Contains('%') && !path.Contains("%2", StringComparison.Ordinal));
        }
        yield return new("path-tricks", "unknown method", "BREW", $"/api/v1/namespaces/{ns}/configmaps", null, null, NoHeaders);
        yield return new("path-tricks", "POST to an object", "POST", Target, Json, Utf8("{}"), NoHeaders);
        yield return new("path-tricks", "DELETE of a collection's unknown kind", "DELETE", "/api/v1/namespaces/" + ns + "/widgets", null, null, NoHeaders);
        _ = random;
    }

    private IEnumerable<HostileRequest> BadHeaders(Random random)
    {
        var body = Utf8(("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"h\"}}"));
        string[] contentTypes = ["application/jsonx", "", "text/plain", ";;;", "application/json; charset=utf-16", "application/xml", "*/*", "application/yaml", "multipart/form-data; boundary=x", "application/vnd.kubernetes.protobuf;stream=watch"];
        foreach (var type in contentTypes)
            yield return new("bad-headers", $"Content-Type \"{type}\"", "POST", CollectionOf("configmaps") + "?dryRun=All", type, body, NoHeaders, MaySucceed: type.StartsWith("application/json;", StringComparison.Ordinal));
        string[] accepts = ["application/xml", "text/html", "application/vnd.kubernetes.protobuf", "garbage/", ";q=abc"];
        foreach (var accept in accepts)
            yield return new("bad-headers", $"Accept \"{accept}\"", "GET", $"/api/v1/namespaces/{ns}/configmaps/missing", null, null, [("Accept", accept)]);
        // Under the 1 MiB that kube-apiserver's server reads, as there: served.
        yield return new("bad-headers", "a 100 KiB header", "GET", $"/api/v1/namespaces/{ns}/configmaps", null, null, [("X-Huge", new string('h', 100 * 1024))], MaySucceed: true, StatusBodyOptional: true);
        yield return new("bad-headers", "500 headers", "GET", $"/api/v1/namespaces/{ns}/configmaps/missing", null, null, [.. Enumerable.Range(0, 500).Select(i => ($"X-H{i}", "v"))], StatusBodyOptional: true);
        yield return new("bad-headers", "two different Content-Lengths", "POST", CollectionOf("configmaps"), Json, body, [("Content-Length", $"{body.Length}"), ("Content-Length", "3")], StatusBodyOptional: true);
        yield return new("bad-headers", "Content-Length that is not a number", "POST", CollectionOf("configmaps"), Json, body, [("Content-Length", "ten")], StatusBodyOptional: true);
        yield return new("bad-headers", "unknown Transfer-Encoding", "POST", CollectionOf("configmaps"), Json, body, [("Transfer-Encoding", "gzip, bogus")], StatusBodyOptional: true);
        yield return new("bad-headers", "a control character in a header", "GET", $"/api/v1/namespaces/{ns}/configmaps", null, null, [("X-Bad", "a\u0001b")], MaySucceed: true, StatusBodyOptional: true);
        yield return new("bad-headers", "a header without a name", "GET", $"/api/v1/namespaces/{ns}/configmaps", null, null, [("", "value")], StatusBodyOptional: true);
        yield return new("bad-headers", "Content-Length shorter than the body", "POST", CollectionOf("configmaps") + "?dryRun=All", Json, body, [("Content-Length", "10")], StatusBodyOptional: true);
        yield return new("bad-headers", "Expect: 100-continue with a huge length", "POST", CollectionOf("configmaps"), Json, null, [("Content-Length", "999999999"), ("Expect", "100-continue")]);
        yield return new("bad-headers", "Content-Encoding gzip on plain JSON", "POST", CollectionOf("configmaps") + "?dryRun=All", Json, body, [("Content-Encoding", "gzip")], MaySucceed: true);
        _ = random;
    }

    private static IEnumerable<(string Path, JsonNode? Node)> Paths(JsonNode? node, string path)
    {
        if (path.Length > 0)
            yield return (path, node);
        if (node is JsonObject obj)
        {
            foreach (var (key, child) in obj)
                foreach (var inner in Paths(child, path.Length == 0 ? key : $"{path}.{key}"))
                    yield return inner;
        }
        else if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
                foreach (var inner in Paths(array[i], $"{path}[{i}]"))
                    yield return inner;
        }
    }

    /// <summary>The template with the node at <paramref name="path"/> replaced by raw JSON text (which may be a number JSON cannot hold).</summary>
    private static string Replace(JsonNode root, string path, string rawJson)
    {
        const string marker = "\"@@HOSTILE@@\"";
        var parts = path.Replace("[", ".[", StringComparison.Ordinal).Split('.');
        var parent = root;
        for (var i = 0; i < parts.Length - 1; i++)
            parent = Child(parent, parts[i])!;
        var last = parts[^1];
        if (last.StartsWith('['))
            parent.AsArray()[int.Parse(last[1..^1], System.Globalization.CultureInfo.InvariantCulture)] = "@@HOSTILE@@";
        else
            parent.AsObject()[last] = "@@HOSTILE@@";
        return root.ToJsonString().Replace(marker, rawJson, StringComparison.Ordinal);
    }

    private static JsonNode? Child(JsonNode node, string part) =>
        part.StartsWith('[') ? node.AsArray()[int.Parse(part[1..^1], System.Globalization.CultureInfo.InvariantCulture)] : node.AsObject()[part];

    private static byte[] Chunked(string text)
    {
        var data = Encoding.UTF8.GetBytes(text);
        using var output = new MemoryStream();
        for (var at = 0; at < data.Length; at += 65536)
        {
            var size = Math.Min(65536, data.Length - at);
            output.Write(Encoding.ASCII.GetBytes($"{size:x}\r\n"));
            output.Write(data, at, size);
            output.Write("\r\n"u8);
        }
        output.Write("0\r\n\r\n"u8);
        return output.ToArray();
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// A number sent as a string ("5"): kube-apiserver refuses it, Granary reads it (GranaryJson reads numbers from
    /// strings, for manifests); counted as a known leniency, not a wrong answer.
    /// </summary>
    private static bool IsQuoted(string number) => number.StartsWith('"');

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Clip(string text) => text.Length <= 60 ? text.Replace("\n", "\\n", StringComparison.Ordinal) : $"{text[..40].Replace("\n", "\\n", StringComparison.Ordinal)}… ({text.Length} chars)";
}
