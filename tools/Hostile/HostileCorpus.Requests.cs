namespace Granary.Hostile;

/// <summary>Requests wrong outside the body: bad selectors and patches, path tricks, bad headers.</summary>
public sealed partial class HostileCorpus
{
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
}
