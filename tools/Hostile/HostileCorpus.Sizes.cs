using System.Text;
using System.Text.Json.Nodes;

namespace Granary.Hostile;

/// <summary>Names, nesting, aliases, bodies and numbers past every limit: empty and huge names, deep nesting, YAML alias bombs, huge bodies and annotations, absurd quantities, replicas and timeouts.</summary>
public sealed partial class HostileCorpus
{
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
}
