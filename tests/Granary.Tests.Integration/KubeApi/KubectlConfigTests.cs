using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Granary.Tests.Integration.Infrastructure;
using k8s;
using k8s.Models;
using static Granary.Tests.Integration.KubeApi.KubernetesClientSupport;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// ConfigMaps and Secrets through the real kubectl (with its default, OpenAPI-backed validation) and the official
/// KubernetesClient library, against a dev-mode silo. Every object has a name of its own test.
/// </summary>
public sealed partial class KubectlConfigTests(KubeApiFixture api) : IClassFixture<KubeApiFixture>
{
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(60);

    private Kubectl Kubectl => api.Kubectl;

    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    private static CliResult Failed(CliResult r) => r.ExitCode != 0 ? r : throw new Xunit.Sdk.XunitException($"expected a failure: {r}");

    private static string Manifest(string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"granary-config-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    private static async Task<T> WithManifestAsync<T>(string yaml, Func<string, Task<T>> use)
    {
        var file = Manifest(yaml);
        try
        {
            return await use(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>The row's cells (the AGE column last), split on runs of spaces.</summary>
    private static string[] Cells(string table, int row) => Spaces().Split(table.Split('\n')[row].Trim());

    [GeneratedRegex(" {2,}")]
    private static partial Regex Spaces();

    private static string ConfigMapYaml(string name) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          labels:
            app: shop
        data:
          color: blue
          app.properties: |
            mode=fast
            level=3
        binaryData:
          logo.bin: {Base64("\u0001\u0002\u0003")}
        """;

    private static string SecretsYaml(string opaque, string tls) => $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: {opaque}
        stringData:
          password: hunter2
        data:
          username: {Base64("admin")}
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: {tls}
        type: kubernetes.io/tls
        data:
          tls.crt: {Base64("-----BEGIN CERTIFICATE-----")}
          tls.key: {Base64("-----BEGIN PRIVATE KEY-----")}
        """;

    [Fact]
    public async Task CreateAndApply_ConfigMapAndSecrets_WithDefaultValidation_AreStoredAsKubernetesStoresThem()
    {
        var create = await WithManifestAsync(ConfigMapYaml("shop-config"), f => Kubectl.RunAsync("create", "-f", f));
        var apply = await WithManifestAsync(SecretsYaml("shop-db", "shop-tls"), f => Kubectl.RunAsync("apply", "-f", f));

        Assert.Equal("configmap/shop-config created\n", Ok(create).Stdout);
        Assert.Equal("secret/shop-db created\nsecret/shop-tls created\n", Ok(apply).Stdout);
        Assert.Equal("", apply.Stderr);

        var configMap = JsonNode.Parse(Ok(await Kubectl.RunAsync("get", "configmap", "shop-config", "-o", "json")).Stdout)!;
        Assert.Equal("mode=fast\nlevel=3\n", (string?)configMap["data"]!["app.properties"]);
        Assert.Equal(Base64("\u0001\u0002\u0003"), (string?)configMap["binaryData"]!["logo.bin"]);

        // kubectl apply keeps its input (stringData included) in an annotation, as with Kubernetes; the object has none.
        var yaml = Ok(await Kubectl.RunAsync("get", "secret", "shop-db", "-o", "yaml")).Stdout;
        Assert.DoesNotMatch(@"(?m)^stringData:", yaml);
        Assert.Matches($@"(?m)^  password: {Regex.Escape(Base64("hunter2"))}$", yaml);
        Assert.Matches($@"(?m)^  username: {Regex.Escape(Base64("admin"))}$", yaml);
        Assert.Matches(@"(?m)^type: Opaque$", yaml);

        var tlsType = Ok(await Kubectl.RunAsync("get", "secret", "shop-tls", "-o", "jsonpath={.type}")).Stdout;
        Assert.Equal("kubernetes.io/tls", tlsType);

        // Applying the same file again writes nothing. kubectl still says "configured" for the Secret with stringData,
        // as against Kubernetes: the live object never has stringData, so kubectl's patch always carries it.
        var version = Ok(await Kubectl.RunAsync("get", "secret", "shop-db", "-o", "jsonpath={.metadata.resourceVersion}")).Stdout;
        var again = await WithManifestAsync(SecretsYaml("shop-db", "shop-tls"), f => Kubectl.RunAsync("apply", "-f", f));
        Assert.Equal("secret/shop-db configured\nsecret/shop-tls unchanged\n", Ok(again).Stdout);
        Assert.Equal(version, Ok(await Kubectl.RunAsync("get", "secret", "shop-db", "-o", "jsonpath={.metadata.resourceVersion}")).Stdout);
    }

    [Fact]
    public async Task Get_PrintsKubeApiserversColumns()
    {
        Ok(await WithManifestAsync(ConfigMapYaml("cols-config"), f => Kubectl.RunAsync("apply", "-f", f)));
        Ok(await WithManifestAsync(SecretsYaml("cols-db", "cols-tls"), f => Kubectl.RunAsync("apply", "-f", f)));

        var configMaps = Ok(await Kubectl.RunAsync("get", "cm", "cols-config")).Stdout;
        var secrets = Ok(await Kubectl.RunAsync("get", "secrets", "cols-db", "cols-tls")).Stdout;

        Assert.Equal(["NAME", "DATA", "AGE"], Cells(configMaps, 0));
        Assert.Equal(["cols-config", "3"], Cells(configMaps, 1)[..2]);
        Assert.Equal(["NAME", "TYPE", "DATA", "AGE"], Cells(secrets, 0));
        Assert.Equal(["cols-db", "Opaque", "2"], Cells(secrets, 1)[..3]);
        Assert.Equal(["cols-tls", "kubernetes.io/tls", "2"], Cells(secrets, 2)[..3]);
    }

    [Fact]
    public async Task Describe_ShowsConfigMapDataAndOnlyTheSizesOfSecretData()
    {
        Ok(await WithManifestAsync(ConfigMapYaml("desc-config"), f => Kubectl.RunAsync("create", "-f", f)));
        Ok(await WithManifestAsync(SecretsYaml("desc-db", "desc-tls"), f => Kubectl.RunAsync("create", "-f", f)));

        var configMap = Ok(await Kubectl.RunAsync("describe", "configmap", "desc-config")).Stdout;
        var secret = Ok(await Kubectl.RunAsync("describe", "secret", "desc-db")).Stdout;

        Assert.Matches(@"(?m)^Name:\s+desc-config$", configMap);
        Assert.Matches(@"(?m)^Labels:\s+app=shop$", configMap);
        Assert.Contains("color:\n----\nblue\n", configMap, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^logo\.bin: 3 bytes$", configMap);
        Assert.Matches(@"(?m)^Type:\s+Opaque$", secret);
        Assert.Matches(@"(?m)^password:\s+7 bytes$", secret);
        Assert.Matches(@"(?m)^username:\s+5 bytes$", secret);
        Assert.DoesNotContain("hunter2", secret, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PatchAndEdit_ChangeData_AndStringDataInAPatchLandsInData()
    {
        Ok(await WithManifestAsync(ConfigMapYaml("edit-config"), f => Kubectl.RunAsync("apply", "-f", f)));
        Ok(await WithManifestAsync(SecretsYaml("edit-db", "edit-tls"), f => Kubectl.RunAsync("apply", "-f", f)));
        var editor = Path.Combine(Path.GetTempPath(), $"granary-editor-{Guid.NewGuid():N}.sh");
        File.WriteAllText(editor, "#!/bin/sh\nsed -i 's/color: blue$/color: green/' \"$1\"\n");
        try
        {
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(editor, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            var edit = Ok(await Kubectl.RunWithEnvironmentAsync(new Dictionary<string, string> { ["KUBE_EDITOR"] = editor }, "edit", "configmap", "edit-config"));
            var patch = Ok(await Kubectl.RunAsync("patch", "secret", "edit-db", "-p", """{"stringData":{"password":"s3cond"}}"""));
            var merge = Ok(await Kubectl.RunAsync("patch", "configmap", "edit-config", "--type", "merge", "-p", """{"data":{"extra":"x"}}"""));

            Assert.Equal("configmap/edit-config edited\n", edit.Stdout);
            Assert.Equal("secret/edit-db patched\n", patch.Stdout);
            Assert.Equal("configmap/edit-config patched\n", merge.Stdout);
            Assert.Equal("green/x", Ok(await Kubectl.RunAsync("get", "cm", "edit-config", "-o", "jsonpath={.data.color}/{.data.extra}")).Stdout);
            var secret = JsonNode.Parse(Ok(await Kubectl.RunAsync("get", "secret", "edit-db", "-o", "json")).Stdout)!;
            Assert.Equal(Base64("s3cond"), (string?)secret["data"]!["password"]);
            Assert.Equal(Base64("admin"), (string?)secret["data"]!["username"]);
            Assert.Null(secret["stringData"]);
        }
        finally
        {
            File.Delete(editor);
        }
    }

    [Fact]
    public async Task Immutable_RefusesChangesToData_WithKubernetesMessage()
    {
        var yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: frozen-config
            immutable: true
            data:
              color: blue
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: frozen-secret
            immutable: true
            stringData:
              token: first-token
            """;
        Ok(await WithManifestAsync(yaml, f => Kubectl.RunAsync("create", "-f", f)));

        var configMap = Failed(await Kubectl.RunAsync("patch", "configmap", "frozen-config", "-p", """{"data":{"color":"red"}}"""));
        var secret = Failed(await Kubectl.RunAsync("patch", "secret", "frozen-secret", "-p", """{"stringData":{"token":"second-token"}}"""));
        var thaw = Failed(await Kubectl.RunAsync("patch", "configmap", "frozen-config", "-p", """{"immutable":false}"""));

        Assert.Contains("The ConfigMap \"frozen-config\" is invalid: data: Forbidden: field is immutable when `immutable` is set", configMap.Stderr, StringComparison.Ordinal);
        Assert.Contains("The Secret \"frozen-secret\" is invalid: data: Forbidden: field is immutable when `immutable` is set", secret.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("second-token", secret.Stderr, StringComparison.Ordinal);
        Assert.Contains("immutable: Forbidden: field is immutable when `immutable` is set", thaw.Stderr, StringComparison.Ordinal);
        Assert.Equal("blue", Ok(await Kubectl.RunAsync("get", "cm", "frozen-config", "-o", "jsonpath={.data.color}")).Stdout);
    }

    [Fact]
    public async Task Create_RefusesOversizedData_MissingTlsKeysAndInvalidBase64_NamingTheField()
    {
        var big = $"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: big-config
            data:
              a: {new string('x', 1024 * 1024 - 1)}
              b: xy
            """;
        var tls = """
            apiVersion: v1
            kind: Secret
            metadata:
              name: half-tls
            type: kubernetes.io/tls
            stringData:
              tls.crt: the-certificate
            """;
        var notBase64 = """
            apiVersion: v1
            kind: Secret
            metadata:
              name: bad-base64
            data:
              password: not*base64
            """;

        var oversized = Failed(await WithManifestAsync(big, f => Kubectl.RunAsync("create", "-f", f)));
        var missing = Failed(await WithManifestAsync(tls, f => Kubectl.RunAsync("create", "-f", f)));
        var invalid = Failed(await WithManifestAsync(notBase64, f => Kubectl.RunAsync("create", "-f", f)));

        Assert.Contains("The ConfigMap \"big-config\" is invalid: []: Too long: must have at most 1048576 bytes", oversized.Stderr, StringComparison.Ordinal);
        Assert.Contains("The Secret \"half-tls\" is invalid: data[tls.key]: Required value", missing.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("the-certificate", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("data.password: Invalid value: illegal base64 data", invalid.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not*base64", invalid.Stderr, StringComparison.Ordinal);
        Assert.Contains("Error from server (BadRequest)", invalid.Stderr, StringComparison.Ordinal);
        var none = await Kubectl.RunAsync("get", "cm", "big-config");
        Assert.Equal("Error from server (NotFound): configmaps \"big-config\" not found\n", none.Stderr);
    }

    [Fact]
    public async Task Explain_ConfigMapAndSecret_ListTheirFields()
    {
        var secret = Ok(await Kubectl.RunAsync("explain", "secret")).Stdout;
        var configMap = Ok(await Kubectl.RunAsync("explain", "configmap")).Stdout;

        Assert.StartsWith("KIND:       Secret\nVERSION:    v1\n", secret, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  data\t<map\[string\]string>$", secret);
        Assert.Matches(@"(?m)^  stringData\t<map\[string\]string>$", secret);
        Assert.Matches(@"(?m)^  type\t<string>$", secret);
        Assert.Matches(@"(?m)^  immutable\t<boolean>$", secret);
        Assert.StartsWith("KIND:       ConfigMap\nVERSION:    v1\n", configMap, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  binaryData\t<map\[string\]string>$", configMap);
    }

    [Fact]
    public async Task KubernetesClient_ReadsAndWatchesConfigMapsAndSecrets()
    {
        using var client = Connect(api.Silo);
        var ns = await CreateNamespaceAsync(client, "kc-config");
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "settings" },
            Data = new Dictionary<string, string> { ["k"] = "v" },
            BinaryData = new Dictionary<string, byte[]> { ["b"] = [1, 2, 3] },
        }, ns);
        var created = await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "api" },
            StringData = new Dictionary<string, string> { ["token"] = "one" },
        }, ns);
        using var cts = new CancellationTokenSource(WatchTimeout);
        var seen = new List<string>();
        var errors = new List<Exception>();

        try
        {
            // Without a resourceVersion the watch first sends what exists (ADDED), which proves it is open.
            await foreach (var (type, secret) in client.CoreV1.WatchListNamespacedSecretAsync(ns, onError: errors.Add, cancellationToken: cts.Token))
            {
                seen.Add($"{type} {secret.Metadata.Name} {Encoding.UTF8.GetString(secret.Data?["token"] ?? [])}");
                if (type == WatchEventType.Added)
                {
                    await client.CoreV1.PatchNamespacedSecretAsync(
                        new V1Patch(new { stringData = new { token = "two" } }, V1Patch.PatchType.MergePatch), "api", ns);
                    await client.CoreV1.DeleteNamespacedSecretAsync("api", ns);
                }
                if (type == WatchEventType.Deleted)
                    break;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"watching secrets in {ns}: no DELETED event for api within {WatchTimeout}; seen: {string.Join(", ", seen)}");
        }

        Assert.Empty(errors);
        Assert.Null(created.StringData);
        Assert.Equal("Opaque", created.Type);
        Assert.Equal(["Added api one", "Modified api two", "Deleted api two"], seen);
        // Beside kube-root-ca.crt, which the root CA publisher puts in every namespace, as in Kubernetes.
        var configMap = Assert.Single((await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items, c => c.Metadata.Name != "kube-root-ca.crt");
        Assert.Equal("v", configMap.Data["k"]);
        Assert.Equal([1, 2, 3], configMap.BinaryData["b"]);
        var status = await FailsWithAsync(HttpStatusCode.NotFound, () => client.CoreV1.ReadNamespacedSecretAsync("api", ns));
        Assert.Equal("NotFound", status.Reason);
    }
}
