using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// kubectl's typed generators (create namespace|deployment|service|serviceaccount|configmap|secret, expose) through the bundled kubectl
/// binaries: 1.32 and later send their objects as protobuf, older ones as JSON; every object is read back field by
/// field. Then protobuf over raw HTTPS requests: strict unknown fields, a body of the wrong kind, an Accept of protobuf only.
/// </summary>
public sealed class KubectlProtobufTests(KubeApiFixture api) : IClassFixture<KubeApiFixture>
{
    private const string Protobuf = "application/vnd.kubernetes.protobuf";

    /// <summary>Kubernetes' limit on the data of one ConfigMap or Secret (1 MiB).</summary>
    private const int ConfigDataLimit = 1024 * 1024;

    /// <summary>The bundled kubectl binaries the generators run through: 1.32 and later send protobuf.</summary>
    public static TheoryData<string> KubectlVersions => ["1.27", "1.29", "1.31", "1.32", "1.33"];

    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    private static JsonObject Json(CliResult r) => JsonNode.Parse(Ok(r).Stdout)!.AsObject();

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task Generators_CreateWhatTheyDescribe(string minor)
    {
        if (Versioned(minor) is not { } kubectl)
            return;
        var ns = $"pb{minor.Replace(".", "")}";

        // The namespace, with -v=8 to see what kubectl sent: protobuf from 1.32 on.
        var created = Ok(await kubectl.RunAsync("create", "namespace", ns, "-v=8"));
        Assert.StartsWith($"namespace/{ns} created\n", created.Stdout);
        Assert.Equal(string.CompareOrdinal(minor, "1.32") >= 0, created.Stderr.Contains($"Content-Type: {Protobuf}", StringComparison.Ordinal));
        var nsJson = Json(await kubectl.RunAsync("get", "namespace", ns, "-o", "json"));
        Assert.Equal(("Active", "kubernetes"), ((string?)nsJson["status"]!["phase"], (string?)nsJson["spec"]!["finalizers"]![0]));
        AssertCreatedNow(nsJson);
        Assert.Equal("default", (string?)Json(await kubectl.RunAsync("get", "serviceaccount", "default", "-n", ns, "-o", "json"))["metadata"]!["name"]);

        Assert.Equal("deployment.apps/web created\n", Ok(await kubectl.RunAsync("create", "deployment", "web", "--image=local/busybox:1", "--replicas=2", "--port=8080", "-n", ns)).Stdout);
        var deployment = Json(await kubectl.RunAsync("get", "deployment", "web", "-n", ns, "-o", "json"));
        AssertCreatedNow(deployment);
        Assert.Equal("web", (string?)deployment["metadata"]!["labels"]!["app"]);
        var spec = deployment["spec"]!;
        Assert.Equal((2, "web"), ((int)spec["replicas"]!, (string?)spec["selector"]!["matchLabels"]!["app"]));
        AssertJson("""{"matchLabels":{"app":"web"}}""", spec["selector"]!);
        Assert.Equal("web", (string?)spec["template"]!["metadata"]!["labels"]!["app"]);
        Assert.Null(spec["template"]!["metadata"]!["creationTimestamp"]);
        var container = spec["template"]!["spec"]!["containers"]!.AsArray().Single()!;
        Assert.Equal(("busybox", "local/busybox:1"), ((string?)container["name"], (string?)container["image"]));
        AssertJson("""[{"containerPort":8080,"protocol":"TCP"}]""", container["ports"]!);

        Assert.Equal("service/web created\n", Ok(await kubectl.RunAsync("create", "service", "clusterip", "web", "--tcp=80:8080", "-n", ns)).Stdout);
        var clusterIP = Json(await kubectl.RunAsync("get", "service", "web", "-n", ns, "-o", "json"))["spec"]!;
        Assert.Equal(("ClusterIP", "web"), ((string?)clusterIP["type"], (string?)clusterIP["selector"]!["app"]));
        AssertJson("""[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}]""", clusterIP["ports"]!);
        Assert.False(string.IsNullOrEmpty((string?)clusterIP["clusterIP"]));

        Assert.Equal("service/webnp created\n", Ok(await kubectl.RunAsync("create", "service", "nodeport", "webnp", "--tcp=80:8080", "-n", ns)).Stdout);
        var nodePort = Json(await kubectl.RunAsync("get", "service", "webnp", "-n", ns, "-o", "json"))["spec"]!;
        Assert.Equal("NodePort", (string?)nodePort["type"]);
        var port = nodePort["ports"]![0]!;
        Assert.Equal(("80-8080", 80, 8080), ((string?)port["name"], (int)port["port"]!, (int)port["targetPort"]!));
        Assert.InRange((int)port["nodePort"]!, 30000, 32767);

        Assert.Equal("serviceaccount/builder created\n", Ok(await kubectl.RunAsync("create", "serviceaccount", "builder", "-n", ns)).Stdout);
        var account = Json(await kubectl.RunAsync("get", "sa", "builder", "-n", ns, "-o", "json"));
        Assert.Equal(("ServiceAccount", "builder", ns), ((string?)account["kind"], (string?)account["metadata"]!["name"], (string?)account["metadata"]!["namespace"]));
        AssertCreatedNow(account);
        Assert.Matches(@"^NAME\s+SECRETS\s+AGE\nbuilder\s+0\s+\S+\ndefault\s+0\s+\S+\n$", Ok(await kubectl.RunAsync("get", "sa", "-n", ns)).Stdout);

        Assert.Equal("service/webx exposed\n", Ok(await kubectl.RunAsync("expose", "deployment", "web", "--name=webx", "--port=80", "--target-port=8080", "-n", ns)).Stdout);
        var exposed = Json(await kubectl.RunAsync("get", "service", "webx", "-n", ns, "-o", "json"))["spec"]!;
        Assert.Equal(("ClusterIP", "web"), ((string?)exposed["type"], (string?)exposed["selector"]!["app"]));
        AssertJson("""[{"protocol":"TCP","port":80,"targetPort":8080}]""", exposed["ports"]!);

        // --dry-run=server answers with the object and writes nothing.
        var dry = Json(await kubectl.RunAsync("create", "deployment", "dry", "--image=local/busybox:1", "--dry-run=server", "-o", "json", "-n", ns));
        Assert.Equal(("dry", "local/busybox:1"), ((string?)dry["metadata"]!["name"], (string?)dry["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]));
        var none = await kubectl.RunAsync("get", "deployment", "dry", "-n", ns);
        Assert.Equal(1, none.ExitCode);
        Assert.Matches("""Error from server \(NotFound\): deployments(\.apps)? "dry" not found""", none.Stderr);

        // create -f of a pod and a deployment (the builder's JSON). kubectl 1.28 and older validate against
        // /openapi/v2, which is not served: they need --validate=false.
        var file = Path.Combine(Path.GetTempPath(), $"granary-pb-{ns}-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, KubeApiFixture.Pod("solo", "solo") + $"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: fromfile
            spec:
              replicas: 0
              selector:
                matchLabels: {"{"}app: fromfile{"}"}
              template:
                metadata:
                  labels: {"{"}app: fromfile{"}"}
                spec:
                  containers:
                  - name: main
                    image: local/busybox:1
            """);
        try
        {
            var validate = string.CompareOrdinal(minor, "1.29") >= 0 ? "--validate=strict" : "--validate=false";
            Assert.Equal("pod/solo created\ndeployment.apps/fromfile created\n", Ok(await kubectl.RunAsync("create", "-f", file, "-n", ns, validate)).Stdout);
        }
        finally
        {
            File.Delete(file);
        }
        var pod = Json(await kubectl.RunAsync("get", "pod", "solo", "-n", ns, "-o", "json"));
        AssertJson("""["sleep","3600"]""", pod["spec"]!["containers"]![0]!["command"]!);
        var fromFile = Json(await kubectl.RunAsync("get", "deployment", "fromfile", "-n", ns, "-o", "json"));
        Assert.Equal(0, (int)fromFile["spec"]!["replicas"]!);
    }

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task ConfigGenerators_CreateWhatTheyDescribe(string minor)
    {
        if (Versioned(minor) is not { } kubectl)
            return;
        var ns = $"pbcfg{minor.Replace(".", "")}";
        Ok(await kubectl.RunAsync("create", "namespace", ns));
        var dir = Directory.CreateTempSubdirectory($"granary-pb-config-{minor}-").FullName;
        try
        {
            var properties = Path.Combine(dir, "app.properties");
            File.WriteAllText(properties, "mode=fast\nlevel=3\n");
            // Not UTF-8, so kubectl puts it in binaryData.
            byte[] logo = [0x00, 0xff, 0x01, 0x80];
            var logoFile = Path.Combine(dir, "logo.bin");
            File.WriteAllBytes(logoFile, logo);
            var (certPem, keyPem) = SelfSignedPair();
            var cert = Path.Combine(dir, "tls.crt");
            var key = Path.Combine(dir, "tls.key");
            File.WriteAllText(cert, certPem);
            File.WriteAllText(key, keyPem);

            // -v=8 to see what kubectl sent: protobuf from 1.32 on.
            var created = Ok(await kubectl.RunAsync("create", "configmap", "app", "--from-literal=a=b", $"--from-file={properties}", $"--from-file={logoFile}", "-n", ns, "-v=8"));
            Assert.StartsWith("configmap/app created\n", created.Stdout);
            Assert.Equal(string.CompareOrdinal(minor, "1.32") >= 0, created.Stderr.Contains($"Content-Type: {Protobuf}", StringComparison.Ordinal));
            var configMap = Json(await kubectl.RunAsync("get", "configmap", "app", "-n", ns, "-o", "json"));
            AssertCreatedNow(configMap);
            AssertJson("""{"a":"b","app.properties":"mode=fast\nlevel=3\n"}""", configMap["data"]);
            AssertJson($$"""{"logo.bin":"{{Convert.ToBase64String(logo)}}"}""", configMap["binaryData"]);

            Assert.Equal("secret/db created\n", Ok(await kubectl.RunAsync("create", "secret", "generic", "db", "--from-literal=password=s3cret", "-n", ns)).Stdout);
            AssertSecret(Json(await kubectl.RunAsync("get", "secret", "db", "-n", ns, "-o", "json")), "Opaque", new() { ["password"] = "s3cret" });

            Assert.Equal("secret/web created\n", Ok(await kubectl.RunAsync("create", "secret", "tls", "web", $"--cert={cert}", $"--key={key}", "-n", ns)).Stdout);
            AssertSecret(Json(await kubectl.RunAsync("get", "secret", "web", "-n", ns, "-o", "json")), "kubernetes.io/tls", new() { ["tls.crt"] = certPem, ["tls.key"] = keyPem });

            Assert.Equal("secret/reg created\n", Ok(await kubectl.RunAsync("create", "secret", "docker-registry", "reg", "--docker-server=127.0.0.1:5000", "--docker-username=u", "--docker-password=p", "-n", ns)).Stdout);
            var registry = Json(await kubectl.RunAsync("get", "secret", "reg", "-n", ns, "-o", "json"));
            Assert.Equal("kubernetes.io/dockerconfigjson", (string?)registry["type"]);
            Assert.Null(registry["stringData"]);
            Assert.Equal([".dockerconfigjson"], registry["data"]!.AsObject().Select(p => p.Key));
            AssertJson("""{"auths":{"127.0.0.1:5000":{"username":"u","password":"p","auth":"dTpw"}}}""", JsonNode.Parse(Convert.FromBase64String((string)registry["data"]![".dockerconfigjson"]!)));

            // --dry-run=server answers with the object and writes nothing.
            var dry = Json(await kubectl.RunAsync("create", "secret", "generic", "dry", "--from-literal=token=t0k", "--dry-run=server", "-o", "json", "-n", ns));
            Assert.Equal("dry", (string?)dry["metadata"]!["name"]);
            AssertSecret(dry, "Opaque", new() { ["token"] = "t0k" });
            AssertNotFound(await kubectl.RunAsync("get", "secret", "dry", "-n", ns), "secrets", "dry");

            // What the server refuses names the field. (kubectl refuses a bad key such as "bad key" itself, before
            // sending anything.)
            var badName = await kubectl.RunAsync("create", "configmap", "Bad_Name", "--from-literal=a=b", "-n", ns);
            Assert.Equal(1, badName.ExitCode);
            Assert.Contains("""ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain""", badName.Stderr, StringComparison.Ordinal);
            var big = Path.Combine(dir, "big.txt");
            File.WriteAllText(big, new string('x', ConfigDataLimit + 1));
            var tooBig = await kubectl.RunAsync("create", "secret", "generic", "big", $"--from-file={big}", "-n", ns);
            Assert.Equal(1, tooBig.ExitCode);
            Assert.Contains($"""Secret "big" is invalid: data: Too long: must have at most {ConfigDataLimit} bytes""", tooBig.Stderr, StringComparison.Ordinal);
            AssertNotFound(await kubectl.RunAsync("get", "secret", "big", "-n", ns), "secrets", "big");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The bundled kubectl of one minor version with a discovery cache of its own; null (a pass) when it is not installed outside CI.</summary>
    private Kubectl? Versioned(string minor)
    {
        var binary = Kubectl.Versioned(minor);
        if (binary is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", $"kubectl.{minor} (Cloud SDK bundle) is not installed");
            return null;
        }
        return new Kubectl(api.Silo.Kubeconfig, Directory.CreateTempSubdirectory($"granary-kubectl-pb-{minor}-").FullName, binary);
    }

    /// <summary>The Secret's type, and its data decoded: exactly the given keys and values; never stringData.</summary>
    private static void AssertSecret(JsonObject secret, string type, Dictionary<string, string> data)
    {
        Assert.Equal(type, (string?)secret["type"]);
        Assert.Null(secret["stringData"]);
        var decoded = secret["data"]!.AsObject().ToDictionary(p => p.Key, p => Encoding.UTF8.GetString(Convert.FromBase64String((string)p.Value!)));
        Assert.Equal(data, decoded);
    }

    private static void AssertNotFound(CliResult result, string resource, string name)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"""Error from server (NotFound): {resource} "{name}" not found""", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A small self-signed certificate and its PKCS#8 key, as PEM (what kubectl create secret tls reads).</summary>
    private static (string Cert, string Key) SelfSignedPair()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=web", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return (cert.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>Equal JSON whatever the order of keys (kubectl -o json sorts them).</summary>
    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual {actual?.ToJsonString()}");

    /// <summary>A creationTimestamp the server set, not Go's zero time that kubectl sends.</summary>
    private static void AssertCreatedNow(JsonObject json)
    {
        var created = DateTimeOffset.Parse((string)json["metadata"]!["creationTimestamp"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(created, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));
    }

    [Fact]
    public async Task UnknownProtobufField_Strict_IsBadRequest_Warn_IsAWarning()
    {
        var body = Namespace("pb-strict", unknownField: true);

        var strict = await PostAsync("/api/v1/namespaces?fieldValidation=Strict", body);
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        Assert.Contains("Namespace in version \\\"v1\\\" cannot be handled as a Namespace: strict decoding error: unknown field \\\"metadata.<protobuf field 99>\\\"", await strict.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await api.Http.GetAsync("/api/v1/namespaces/pb-strict")).StatusCode);

        var warn = await PostAsync("/api/v1/namespaces?fieldValidation=Warn", body);
        Assert.Equal(HttpStatusCode.Created, warn.StatusCode);
        Assert.Equal(["299 - \"unknown field \\\"metadata.<protobuf field 99>\\\"\""], warn.Headers.GetValues("Warning"));
        Assert.Equal("application/json", warn.Content.Headers.ContentType?.MediaType);
        Assert.Equal("pb-strict", (string?)JsonNode.Parse(await warn.Content.ReadAsStringAsync())!["metadata"]!["name"]);
    }

    [Fact]
    public async Task ProtobufBodies_OfTheWrongKindOrMalformed_AreBadRequests()
    {
        var wrongKind = await PostAsync("/api/v1/namespaces/default/pods", Namespace("pb-wrong", unknownField: false));
        Assert.Equal(HttpStatusCode.BadRequest, wrongKind.StatusCode);
        Assert.Contains("the API version in the data (v1) or its kind (Namespace) does not match the expected v1, Kind=Pod", await wrongKind.Content.ReadAsStringAsync());

        var truncated = await PostAsync("/api/v1/namespaces", [.. Namespace("pb-cut", unknownField: false).SkipLast(3)]);
        Assert.Equal(HttpStatusCode.BadRequest, truncated.StatusCode);
        Assert.Contains("the request body is not a valid protobuf Namespace", await truncated.Content.ReadAsStringAsync());

        var notProtobuf = await PostAsync("/api/v1/namespaces", Encoding.UTF8.GetBytes("""{"metadata":{"name":"x"}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, notProtobuf.StatusCode);
        Assert.Contains("does not start with the protobuf prefix", await notProtobuf.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AcceptOfProtobufOnly_IsNotAcceptable_WithJsonToo_JsonAnswers()
    {
        using var only = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/default");
        only.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(Protobuf));
        var refused = await api.Http.SendAsync(only);
        Assert.Equal(HttpStatusCode.NotAcceptable, refused.StatusCode);
        var status = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal(("Status", "NotAcceptable", 406), ((string?)status["kind"], (string?)status["reason"], (int)status["code"]!));

        using var both = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/default");
        both.Headers.Accept.ParseAdd($"{Protobuf},application/json");
        var answered = await api.Http.SendAsync(both);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("application/json", answered.Content.Headers.ContentType?.MediaType);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(Protobuf);
        return await api.Http.PostAsync(path, content);
    }

    /// <summary>A v1 Namespace as kubectl sends it: k8s\0, then runtime.Unknown{typeMeta, raw}; optionally a metadata field 99 no schema has.</summary>
    private static byte[] Namespace(string name, bool unknownField)
    {
        byte[] metadata = [.. Field(1, Encoding.UTF8.GetBytes(name)), .. unknownField ? new byte[] { 0x98, 0x06, 0x01 } : []];
        var raw = Field(1, metadata);
        byte[] typeMeta = [.. Field(1, "v1"u8.ToArray()), .. Field(2, "Namespace"u8.ToArray())];
        return [.. "k8s\0"u8.ToArray(), .. Field(1, typeMeta), .. Field(2, raw)];
    }

    private static byte[] Field(int number, byte[] value) => [(byte)((number << 3) | 2), (byte)value.Length, .. value];
}
