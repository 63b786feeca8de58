using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>The API at the HTTP level: Status bodies, Tables, watch framing and expiry, as kubectl and client-go read them.</summary>
public sealed class KubeApiHttpTests(KubeApiFixture api) : IClassFixture<KubeApiFixture>
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    private HttpClient Http => api.Http;

    private async Task<(HttpStatusCode Code, JsonNode Body)> GetJsonAsync(string path, string? accept = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (accept is not null)
            request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await Http.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static void AssertStatus(JsonNode body, int code, string reason)
    {
        Assert.Equal("Status", (string?)body["kind"]);
        Assert.Equal("v1", (string?)body["apiVersion"]);
        Assert.Equal("Failure", (string?)body["status"]);
        Assert.Equal(reason, (string?)body["reason"]);
        Assert.Equal(code, (int?)body["code"]);
    }

    /// <summary>Reads a watch stream to its end: one JSON event per line.</summary>
    private async Task<List<JsonNode>> WatchAsync(string path, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
            request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.TransferEncodingChunked, "a watch is a chunked stream");
        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)];
    }

    [Fact]
    public async Task GetMissingPod_IsANotFoundStatus()
    {
        var (code, body) = await GetJsonAsync("/api/v1/namespaces/default/pods/nope");

        Assert.Equal(HttpStatusCode.NotFound, code);
        AssertStatus(body, 404, "NotFound");
        Assert.Equal("pods \"nope\" not found", (string?)body["message"]);
        Assert.Equal("nope", (string?)body["details"]!["name"]);
        Assert.Equal("pods", (string?)body["details"]!["kind"]);
    }

    [Theory]
    [InlineData("/apis/autoscaling/v2/namespaces/default/verticalpodautoscalers")]
    [InlineData("/api/v1/namespaces/default/replicationcontrollers")]
    [InlineData("/api/v1/pods/x")]
    [InlineData("/api/v1/namespaces/default/pods/x/ephemeralcontainers")]
    [InlineData("/openapi/v2")]
    [InlineData("/openapi/v3/apis/nope.example.com/v1")]
    public async Task UnknownPath_IsANotFoundStatus(string path)
    {
        var (code, body) = await GetJsonAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, code);
        AssertStatus(body, 404, "NotFound");
        Assert.Equal("the server could not find the requested resource", (string?)body["message"]);
    }

    [Theory]
    [InlineData("POST", "/api/v1/namespaces/default/pods/x")]
    [InlineData("PUT", "/api/v1/namespaces/default/pods")]
    [InlineData("PATCH", "/api/v1/nodes")]
    [InlineData("PATCH", "/api/v1/namespaces/default/pods/x/log")]
    [InlineData("DELETE", "/api/v1/namespaces/default/pods")]
    [InlineData("POST", "/api/v1/namespaces/default/pods/x/log")]
    public async Task WritesNotServedYet_AreMethodNotAllowed(string method, string path)
    {
        var (code, body) = await GetJsonAsync(path, method: new HttpMethod(method));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, code);
        AssertStatus(body, 405, "MethodNotAllowed");
    }

    private async Task<(HttpStatusCode Code, JsonNode Body)> SendAsync(HttpMethod method, string path, string body, string contentType)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await Http.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task Put_StaleResourceVersion_IsAConflict_CurrentOneReplaces()
    {
        await api.ApplyAsync(KubeApiFixture.Node("put-n1"));
        var (_, node) = await GetJsonAsync("/api/v1/nodes/put-n1");
        var current = (string)node["metadata"]!["resourceVersion"]!;
        node["metadata"]!["labels"] = new JsonObject { ["zone"] = "a" };

        var (ok, updated) = await SendAsync(HttpMethod.Put, "/api/v1/nodes/put-n1", node.ToJsonString(), "application/json");
        var (stale, conflict) = await SendAsync(HttpMethod.Put, "/api/v1/nodes/put-n1", node.ToJsonString(), "application/json");
        var (wrongName, badName) = await SendAsync(HttpMethod.Put, "/api/v1/nodes/other", node.ToJsonString(), "application/json");
        var (yaml, unsupported) = await SendAsync(HttpMethod.Put, "/api/v1/nodes/put-n1", "kind: Node", "application/yaml");

        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal("a", (string?)updated["metadata"]!["labels"]!["zone"]);
        Assert.NotEqual(current, (string?)updated["metadata"]!["resourceVersion"]);
        Assert.Equal(HttpStatusCode.Conflict, stale);
        AssertStatus(conflict, 409, "Conflict");
        Assert.StartsWith("Operation cannot be fulfilled on nodes \"put-n1\": ", (string?)conflict["message"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, wrongName);
        AssertStatus(badName, 400, "BadRequest");
        Assert.Equal("the name of the object (put-n1) does not match the name on the URL (other)", (string?)badName["message"]);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, yaml);
        AssertStatus(unsupported, 415, "UnsupportedMediaType");
    }

    [Fact]
    public async Task Patch_FailedTestIsInvalid_UnknownTypeIsUnsupported_ContainersMergeByName()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("patch-http", "patch-http"));
        const string path = "/api/v1/namespaces/default/pods/patch-http";

        var (failed, invalid) = await SendAsync(HttpMethod.Patch, path, """[{"op":"test","path":"/metadata/labels/app","value":"other"}]""", "application/json-patch+json");
        var (yaml, unsupported) = await SendAsync(HttpMethod.Patch, path, "{}", "application/yaml");
        var (apply, noManager) = await SendAsync(HttpMethod.Patch, path, "{}", "application/apply-patch+yaml");
        var (ok, pod) = await SendAsync(HttpMethod.Patch, path,
            """{"spec":{"$setElementOrder/containers":[{"name":"main"}],"containers":[{"name":"main","image":"local/busybox:2"}]}}""",
            "application/strategic-merge-patch+json");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, failed);
        AssertStatus(invalid, 422, "Invalid");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, yaml);
        AssertStatus(unsupported, 415, "UnsupportedMediaType");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, apply);
        AssertStatus(noManager, 422, "Invalid");
        Assert.Equal("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch", (string?)noManager["message"]);
        Assert.Equal(HttpStatusCode.OK, ok);
        var container = pod["spec"]!["containers"]!.AsArray().Single()!;
        Assert.Equal("local/busybox:2", (string?)container["image"]);
        Assert.Equal("[\"sleep\",\"3600\"]", container["command"]!.ToJsonString());
    }

    [Fact]
    public async Task StatusSubresource_PatchAndPut_ChangeOnlyTheStatus()
    {
        await api.ApplyAsync(KubeApiFixture.Node("status-n1"));

        var (patched, afterPatch) = await SendAsync(HttpMethod.Patch, "/api/v1/nodes/status-n1/status",
            """{"metadata":{"labels":{"ignored":"yes"}},"status":{"capacity":{"cpu":"8"}}}""", "application/merge-patch+json");
        afterPatch["status"]!["capacity"]!["pods"] = "50";
        var (put, afterPut) = await SendAsync(HttpMethod.Put, "/api/v1/nodes/status-n1/status", afterPatch.ToJsonString(), "application/json");

        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal("8", (string?)afterPatch["status"]!["capacity"]!["cpu"]);
        Assert.Null(afterPatch["metadata"]!["labels"]!["ignored"]);
        Assert.Equal(HttpStatusCode.OK, put);
        Assert.Equal("50", (string?)afterPut["status"]!["capacity"]!["pods"]);
        Assert.Equal("8", (string?)afterPut["status"]!["capacity"]!["cpu"]);
    }

    [Fact]
    public async Task UnsupportedFieldSelector_IsABadRequestStatus()
    {
        var (code, body) = await GetJsonAsync("/api/v1/pods?fieldSelector=spec.restartPolicy%3DAlways");

        Assert.Equal(HttpStatusCode.BadRequest, code);
        AssertStatus(body, 400, "BadRequest");
    }

    [Fact]
    public async Task Discovery_AdvertisesOnlyServedVerbs()
    {
        var (_, version) = await GetJsonAsync("/version");
        var (_, core) = await GetJsonAsync("/api/v1");

        Assert.Equal("1", (string?)version["major"]);
        Assert.Equal("32", (string?)version["minor"]);
        var pods = core["resources"]!.AsArray().Single(r => (string?)r!["name"] == "pods")!;
        Assert.Equal(["create", "delete", "get", "list", "patch", "update", "watch"], pods["verbs"]!.AsArray().Select(v => (string)v!));
        var log = core["resources"]!.AsArray().Single(r => (string?)r!["name"] == "pods/log")!;
        Assert.Equal(["get"], log["verbs"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(["po"], pods["shortNames"]!.AsArray().Select(v => (string)v!));
        Assert.Equal(["all"], pods["categories"]!.AsArray().Select(v => (string)v!));
    }

    [Fact]
    public async Task List_CarriesTheResourceVersion_AndPagesWithContinue()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("page-1", "page") + KubeApiFixture.Pod("page-2", "page"));

        var (_, first) = await GetJsonAsync("/api/v1/namespaces/default/pods?labelSelector=app%3Dpage&limit=1");
        var token = Uri.EscapeDataString((string)first["metadata"]!["continue"]!);
        var (_, second) = await GetJsonAsync($"/api/v1/namespaces/default/pods?labelSelector=app%3Dpage&limit=1&continue={token}");

        Assert.Equal("PodList", (string?)first["kind"]);
        Assert.False(string.IsNullOrEmpty((string?)first["metadata"]!["resourceVersion"]));
        Assert.Equal("page-1", (string?)first["items"]![0]!["metadata"]!["name"]);
        Assert.Equal("Pod", (string?)first["items"]![0]!["kind"]);
        Assert.Equal("page-2", (string?)second["items"]![0]!["metadata"]!["name"]);
        Assert.Null(second["metadata"]!["continue"]);
    }

    [Fact]
    public async Task Table_HasKubectlColumns_AndMetadataRowObjects()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("table-web", "table"));

        var (_, table) = await GetJsonAsync("/api/v1/namespaces/default/pods?labelSelector=app%3Dtable", TableAccept);
        var (_, full) = await GetJsonAsync("/api/v1/namespaces/default/pods?labelSelector=app%3Dtable&includeObject=Object", TableAccept);

        Assert.Equal("Table", (string?)table["kind"]);
        Assert.Equal("meta.k8s.io/v1", (string?)table["apiVersion"]);
        var columns = table["columnDefinitions"]!.AsArray();
        Assert.Equal(["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"], columns.Select(c => (string)c!["name"]!));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1], columns.Select(c => (int)c!["priority"]!));
        Assert.Equal("name", (string?)columns[0]!["format"]);
        var row = table["rows"]![0]!;
        Assert.Equal("table-web", (string?)row["cells"]![0]);
        Assert.Equal("PartialObjectMetadata", (string?)row["object"]!["kind"]);
        Assert.Equal("default", (string?)row["object"]!["metadata"]!["namespace"]);
        Assert.Equal("Pod", (string?)full["rows"]![0]!["object"]!["kind"]);
    }

    [Fact]
    public async Task Watch_FromZero_SendsCurrentObjectsAsAdded_ThenEndsAtTimeout()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("wz-1", "wz"));

        var events = await WatchAsync("/api/v1/namespaces/default/pods?watch=true&resourceVersion=0&labelSelector=app%3Dwz&timeoutSeconds=1");

        var added = Assert.Single(events);
        Assert.Equal("ADDED", (string?)added["type"]);
        Assert.Equal("Pod", (string?)added["object"]!["kind"]);
        Assert.Equal("wz-1", (string?)added["object"]!["metadata"]!["name"]);
    }

    [Fact]
    public async Task Watch_FromAListVersion_SendsOnlyLaterEvents_AsTablesWhenAsked()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("wt-1", "wt"));
        var (_, list) = await GetJsonAsync("/api/v1/namespaces/default/pods?labelSelector=app%3Dwt");
        var version = (string)list["metadata"]!["resourceVersion"]!;
        await api.ApplyAsync(KubeApiFixture.Pod("wt-2", "wt"));

        var events = await WatchAsync($"/api/v1/namespaces/default/pods?watch=true&resourceVersion={version}&labelSelector=app%3Dwt&timeoutSeconds=2", TableAccept);

        var first = events[0];
        Assert.Equal("ADDED", (string?)first["type"]);
        Assert.Equal("Table", (string?)first["object"]!["kind"]);
        Assert.Equal("wt-2", (string?)first["object"]!["rows"]![0]!["cells"]![0]);
        Assert.DoesNotContain(events, e => (string?)e["object"]!["rows"]![0]!["cells"]![0] == "wt-1");
    }

    [Fact]
    public async Task Watch_WithBookmarks_SendsABookmarkWhenNothingHappens()
    {
        var (_, list) = await GetJsonAsync("/api/v1/namespaces?fieldSelector=metadata.name%3Dkube-system");
        var version = (string)list["metadata"]!["resourceVersion"]!;

        // The grain's long poll lasts 15s; a bookmark follows each empty one.
        var events = await WatchAsync($"/api/v1/namespaces?watch=true&resourceVersion={version}&allowWatchBookmarks=true&timeoutSeconds=17&fieldSelector=metadata.name%3Dkube-system");

        var bookmark = Assert.Single(events);
        Assert.Equal("BOOKMARK", (string?)bookmark["type"]);
        Assert.Equal("Namespace", (string?)bookmark["object"]!["kind"]);
        Assert.False(string.IsNullOrEmpty((string?)bookmark["object"]!["metadata"]!["resourceVersion"]));
    }

    [Fact]
    public async Task Watch_FromAVersionOlderThanTheHistory_EndsWithAnExpiredErrorEvent()
    {
        var pods = new StringBuilder();
        // More creates than the history holds, so resourceVersion 1 has left it.
        for (var i = 0; i < KubeApiFixture.EventWindow + 2; i++)
            pods.Append(KubeApiFixture.Pod($"exp-{i}", "exp"));
        await api.ApplyAsync(pods.ToString());

        var events = await WatchAsync("/api/v1/pods?watch=true&resourceVersion=1");

        var error = Assert.Single(events);
        Assert.Equal("ERROR", (string?)error["type"]);
        AssertStatus(error["object"]!, 410, "Expired");
    }

    [Fact]
    public async Task Watch_NotANumberVersion_IsABadRequestStatus()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pods?watch=true&resourceVersion=abc");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertStatus(JsonNode.Parse(await response.Content.ReadAsStringAsync())!, 400, "BadRequest");
    }

    private async Task<(HttpStatusCode Code, JsonNode Body)> SendJsonAsync(HttpMethod method, string path, string? body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await Http.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static string PodJson(string name, string? image = "local/busybox:1", string? @namespace = null)
    {
        var container = new JsonObject { ["name"] = "main", ["command"] = new JsonArray("sleep", "3600"), ["unknownField"] = 1 };
        if (image is not null)
            container["image"] = image;
        var metadata = new JsonObject { ["name"] = name };
        if (@namespace is not null)
            metadata["namespace"] = @namespace;
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(container) },
        }.ToJsonString();
    }

    [Fact]
    public async Task Create_Returns201WithTheStoredObject_NamespacedByThePath()
    {
        var (code, pod) = await SendJsonAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods?fieldManager=kubectl-create&fieldValidation=Ignore", PodJson("post-1"));
        var (_, got) = await GetJsonAsync("/api/v1/namespaces/default/pods/post-1");

        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("Pod", (string?)pod["kind"]);
        Assert.Equal("default", (string?)pod["metadata"]!["namespace"]);
        Assert.False(string.IsNullOrEmpty((string?)pod["metadata"]!["uid"]));
        Assert.Equal((string?)pod["metadata"]!["uid"], (string?)got["metadata"]!["uid"]);
    }

    [Fact]
    public async Task Create_WithGenerateName_AddsASuffix()
    {
        var (code, ns) = await SendJsonAsync(HttpMethod.Post, "/api/v1/namespaces", """{"metadata":{"generateName":"gen-"}}""");

        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("Namespace", (string?)ns["kind"]);
        Assert.Matches("^gen-[a-z0-9]{5}$", (string?)ns["metadata"]!["name"]);
    }

    [Fact]
    public async Task Create_Errors_AreStatuses()
    {
        await SendJsonAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods", PodJson("post-dup"));

        var (dupCode, dup) = await SendJsonAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods", PodJson("post-dup"));
        var (invalidCode, invalid) = await SendJsonAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods", PodJson("post-bad", image: null));
        var (otherNsCode, otherNs) = await SendJsonAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods", PodJson("post-ns", @namespace: "kube-system"));
        var (protoCode, proto) = await SendJsonAsync(HttpMethod.Post, "/api/v1/namespaces", "\u0000k8s", "application/vnd.kubernetes.protobuf");
        var (xmlCode, xml) = await SendJsonAsync(HttpMethod.Post, "/api/v1/namespaces", "<namespace/>", "application/xml");
        var (nodeCode, node) = await SendJsonAsync(HttpMethod.Post, "/api/v1/nodes", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"n"}}""");

        Assert.Equal(HttpStatusCode.Conflict, dupCode);
        AssertStatus(dup, 409, "AlreadyExists");
        Assert.Equal("pods \"post-dup\" already exists", (string?)dup["message"]);
        Assert.Equal((HttpStatusCode)422, invalidCode);
        AssertStatus(invalid, 422, "Invalid");
        Assert.Equal("Pod", (string?)invalid["details"]!["kind"]);
        var cause = invalid["details"]!["causes"]!.AsArray().Single()!;
        Assert.Equal("spec.containers[0].image", (string?)cause["field"]);
        Assert.Equal("FieldValueRequired", (string?)cause["reason"]);
        Assert.Equal(HttpStatusCode.BadRequest, otherNsCode);
        AssertStatus(otherNs, 400, "BadRequest");
        Assert.Equal("the namespace of the provided object does not match the namespace sent on the request", (string?)otherNs["message"]);
        // Protobuf is read: a body without its k8s\0 prefix is a bad one. A media type the API does not read is a 415.
        Assert.Equal(HttpStatusCode.BadRequest, protoCode);
        AssertStatus(proto, 400, "BadRequest");
        Assert.Equal("the request body is not a valid protobuf Namespace: the body does not start with the protobuf prefix \"k8s\\x00\"", (string?)proto["message"]);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xmlCode);
        AssertStatus(xml, 415, "UnsupportedMediaType");
        Assert.Equal(HttpStatusCode.BadRequest, nodeCode);
        AssertStatus(node, 400, "BadRequest");
    }

    [Fact]
    public async Task Delete_ReturnsTheObject_ThenItIsGone()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("del-http", "del-http"));

        var (code, pod) = await SendJsonAsync(HttpMethod.Delete, "/api/v1/namespaces/default/pods/del-http?gracePeriodSeconds=0", """{"propagationPolicy":"Background"}""");
        var (afterCode, _) = await GetJsonAsync("/api/v1/namespaces/default/pods/del-http");
        var (againCode, again) = await SendJsonAsync(HttpMethod.Delete, "/api/v1/namespaces/default/pods/del-http", null);

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("Pod", (string?)pod["kind"]);
        Assert.Equal("del-http", (string?)pod["metadata"]!["name"]);
        Assert.Equal(HttpStatusCode.NotFound, afterCode);
        Assert.Equal(HttpStatusCode.NotFound, againCode);
        AssertStatus(again, 404, "NotFound");
    }

    [Fact]
    public async Task Delete_WithAStaleUidPrecondition_IsAConflict()
    {
        await api.ApplyAsync(KubeApiFixture.Node("del-node"));

        var (code, body) = await SendJsonAsync(HttpMethod.Delete, "/api/v1/nodes/del-node", """{"preconditions":{"uid":"not-the-uid"}}""");
        var (stillCode, _) = await GetJsonAsync("/api/v1/nodes/del-node");

        Assert.Equal(HttpStatusCode.Conflict, code);
        AssertStatus(body, 409, "Conflict");
        Assert.Equal(HttpStatusCode.OK, stillCode);
    }

    [Fact]
    public async Task Logs_Errors_AreStatuses()
    {
        await api.ApplyAsync(KubeApiFixture.Pod("logs-noagent", "logs", nodeName: "no-agent-node"));

        var (noAgentCode, noAgent) = await GetJsonAsync("/api/v1/namespaces/default/pods/logs-noagent/log?container=main");
        var (missingCode, missing) = await GetJsonAsync("/api/v1/namespaces/default/pods/logs-missing/log");
        var (badContainerCode, badContainer) = await GetJsonAsync("/api/v1/namespaces/default/pods/logs-noagent/log?container=other");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, noAgentCode);
        AssertStatus(noAgent, 503, "ServiceUnavailable");
        Assert.Equal(HttpStatusCode.NotFound, missingCode);
        AssertStatus(missing, 404, "NotFound");
        Assert.Equal("pods \"logs-missing\" not found", (string?)missing["message"]);
        Assert.Equal(HttpStatusCode.BadRequest, badContainerCode);
        AssertStatus(badContainer, 400, "BadRequest");
    }

    [Fact]
    public async Task ReplicaSetScale_GetPatchPut_AnswerAutoscalingV1Scale()
    {
        const string rs = """
            {"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"scale-rs"},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app":"scale-rs"}},
                     "template":{"metadata":{"labels":{"app":"scale-rs"}},"spec":{"containers":[{"name":"main","image":"local/busybox:1"}]}}}}
            """;
        const string path = "/apis/apps/v1/namespaces/default/replicasets/scale-rs/scale";
        var (created, _) = await SendJsonAsync(HttpMethod.Post, "/apis/apps/v1/namespaces/default/replicasets", rs);

        var (getCode, scale) = await GetJsonAsync(path);
        var (patchCode, patched) = await SendJsonAsync(HttpMethod.Patch, path, """{"spec":{"replicas":3}}""", "application/merge-patch+json");
        var (putCode, put) = await SendJsonAsync(HttpMethod.Put, path,
            """{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"scale-rs"},"spec":{"replicas":2}}""");
        var (staleCode, stale) = await SendJsonAsync(HttpMethod.Put, path,
            """{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"scale-rs","resourceVersion":"1"},"spec":{"replicas":5}}""");
        var (negativeCode, negative) = await SendJsonAsync(HttpMethod.Patch, path, """{"spec":{"replicas":-1}}""", "application/merge-patch+json");
        var (_, after) = await GetJsonAsync("/apis/apps/v1/namespaces/default/replicasets/scale-rs");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (created, getCode, patchCode, putCode));
        Assert.Equal(("Scale", "autoscaling/v1", "scale-rs", "default"),
            ((string?)scale["kind"], (string?)scale["apiVersion"], (string?)scale["metadata"]!["name"], (string?)scale["metadata"]!["namespace"]));
        Assert.Equal((1, "app=scale-rs"), ((int?)scale["spec"]!["replicas"], (string?)scale["status"]!["selector"]));
        Assert.Equal(3, (int?)patched["spec"]!["replicas"]);
        Assert.Equal(2, (int?)put["spec"]!["replicas"]);
        Assert.Equal(HttpStatusCode.Conflict, staleCode);
        AssertStatus(stale, 409, "Conflict");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, negativeCode);
        AssertStatus(negative, 422, "Invalid");
        Assert.Equal(2, (int?)after["spec"]!["replicas"]);
        Assert.Equal(3, (int?)after["metadata"]!["generation"]);
    }

    [Fact]
    public async Task Binding_PlacesThePodOnce_AsACustomSchedulerDoes()
    {
        var pod = JsonNode.Parse(PodJson("bind-web"))!;
        pod["spec"]!["schedulerName"] = Infrastructure.TestObjects.NotScheduled;
        var (created, _) = await SendJsonAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods?fieldValidation=Ignore", pod.ToJsonString());
        const string path = "/api/v1/namespaces/default/pods/bind-web/binding";

        var (code, status) = await SendJsonAsync(HttpMethod.Post, path, """{"apiVersion":"v1","kind":"Binding","metadata":{"name":"bind-web"},"target":{"kind":"Node","name":"bind-n1"}}""");
        var (_, bound) = await GetJsonAsync("/api/v1/namespaces/default/pods/bind-web");
        var (againCode, again) = await SendJsonAsync(HttpMethod.Post, path, """{"metadata":{"name":"bind-web"},"target":{"kind":"Node","name":"bind-n2"}}""");
        var (noTargetCode, noTarget) = await SendJsonAsync(HttpMethod.Post, path, """{"metadata":{"name":"bind-web"},"target":{}}""");
        var (missingCode, _) = await SendJsonAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods/bind-none/binding", """{"target":{"kind":"Node","name":"bind-n1"}}""");

        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal((HttpStatusCode.Created, "Success"), (code, (string?)status["status"]));
        Assert.Equal("bind-n1", (string?)bound["spec"]!["nodeName"]);
        Assert.Equal((HttpStatusCode.Conflict, "Conflict"), (againCode, (string?)again["reason"]));
        Assert.Contains("bind-n1", (string?)again["message"]);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "target.name"), (noTargetCode, (string?)noTarget["details"]!["causes"]![0]!["field"]));
        Assert.Equal(HttpStatusCode.NotFound, missingCode);
    }
}
