using System.Net;
using System.Text.Json.Nodes;
using Granary.Tests.Integration.Infrastructure;
using k8s;
using k8s.Autorest;

namespace Granary.Tests.Integration.ApiSecurity;

/// <summary>
/// RBAC as kubectl and the KubernetesClient library meet it on a production silo: users without bindings are
/// forbidden in kube-apiserver's words, a RoleBinding grants one namespace only, <c>kubectl auth can-i</c> and
/// <c>auth whoami</c> answer (tokens and a client certificate), impersonation needs its verb, and writes are audited.
/// Each test uses namespaces of its own.
/// </summary>
public sealed class RbacTests(RbacApiFixture api) : IClassFixture<RbacApiFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private Kubectl Admin => api.Kubectl(api.AdminKubeconfig);

    private Kubectl Jane => api.Kubectl(api.JaneKubeconfig);

    private async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 7)];
        var r = await Admin.RunAsync("create", "namespace", name);
        Assert.True(r.ExitCode == 0, $"create namespace {name}: {r}");
        return name;
    }

    /// <summary>Runs until the command succeeds: the authorizer sees a new binding once the watch cache has it.</summary>
    private static async Task<CliResult> EventuallyAsync(string phase, Func<Task<CliResult>> run)
    {
        CliResult? last = null;
        await Waiting.UntilAsync(async () => (last = await run()).ExitCode == 0, Deadline, phase, () => $"still failing: {last}");
        return last!;
    }

    [Fact]
    public async Task UserWithoutBindings_IsForbidden_InKubesWords()
    {
        var ns = await NamespaceAsync("rbac-none");

        var r = await Jane.RunAsync("get", "pods", "-n", ns);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"Error from server (Forbidden): pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RoleBinding_GrantsItsNamespaceOnly()
    {
        var granted = await NamespaceAsync("rbac-a");
        var other = await NamespaceAsync("rbac-b");

        // kubectl's generator sends the binding as protobuf.
        var create = await Admin.RunAsync("create", "rolebinding", "jane-view", "--clusterrole=view", "--user=jane", "-n", granted);
        Assert.True(create.ExitCode == 0, $"create rolebinding: {create}");

        var list = await EventuallyAsync("jane lists pods where she may", () => Jane.RunAsync("get", "pods", "-n", granted));
        Assert.Contains($"No resources found in {granted} namespace.", list.Stderr, StringComparison.Ordinal);
        var elsewhere = await Jane.RunAsync("get", "pods", "-n", other);
        Assert.Equal(1, elsewhere.ExitCode);
        Assert.Contains($"pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"{other}\"", elsewhere.Stderr, StringComparison.Ordinal);
        var write = await Jane.RunAsync("create", "configmap", "c1", "-n", granted);
        Assert.Equal(1, write.ExitCode);
        Assert.Contains($"configmaps is forbidden: User \"jane\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"{granted}\"", write.Stderr, StringComparison.Ordinal);

        var yes = await Jane.RunAsync("auth", "can-i", "list", "pods", "-n", granted);
        var no = await Jane.RunAsync("auth", "can-i", "create", "pods", "-n", granted);
        var noThere = await Jane.RunAsync("auth", "can-i", "list", "pods", "-n", other);
        Assert.Equal((0, "yes"), (yes.ExitCode, yes.Stdout.Trim()));
        Assert.Equal((1, "no"), (no.ExitCode, no.Stdout.Trim()));
        Assert.Equal((1, "no"), (noThere.ExitCode, noThere.Stdout.Trim()));

        var rules = await Jane.RunAsync("auth", "can-i", "--list", "-n", granted);
        Assert.True(rules.ExitCode == 0, $"auth can-i --list: {rules}");
        Assert.Matches(@"(?m)^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs", rules.Stdout);
        Assert.Matches(@"(?m)^pods\s+\[\]\s+\[\]\s+\[get list watch\]", rules.Stdout);
        Assert.Matches(@"(?m)^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]", rules.Stdout);

        var bindings = await Admin.RunAsync("get", "rolebindings", "-n", granted, "-o", "wide");
        Assert.Matches(@"(?m)^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\s*$", bindings.Stdout);
        Assert.Matches(@"(?m)^jane-view\s+ClusterRole/view\s+\S+\s+jane\s*$", bindings.Stdout);
    }

    [Fact]
    public async Task AuthWhoami_ShowsTheTokenUser_AndTheCertificateUser()
    {
        var jane = await Jane.RunAsync("auth", "whoami");
        var carol = await api.Kubectl(api.CarolKubeconfig).RunAsync("auth", "whoami");

        Assert.True(jane.ExitCode == 0, $"whoami (token): {jane}");
        Assert.Matches(@"(?m)^Username\s+jane\s*$", jane.Stdout);
        Assert.Matches(@"(?m)^UID\s+jane-uid\s*$", jane.Stdout);
        Assert.Matches(@"(?m)^Groups\s+\[system:authenticated\]\s*$", jane.Stdout);
        Assert.True(carol.ExitCode == 0, $"whoami (client certificate): {carol}");
        Assert.Matches(@"(?m)^Username\s+carol\s*$", carol.Stdout);
        Assert.Matches(@"(?m)^Groups\s+\[ops dev system:authenticated\]\s*$", carol.Stdout);
    }

    /// <summary>kubectl 1.27 asks authentication.k8s.io/v1alpha1, 1.28 v1beta1, later ones v1.</summary>
    [Theory]
    [InlineData("1.27")]
    [InlineData("1.28")]
    [InlineData("1.33")]
    public async Task AuthWhoami_WorksForEveryKubectlVersion(string minor)
    {
        if (Jane.WithVersion(minor) is not { } kubectl)
            return;

        var r = await kubectl.RunAsync("auth", "whoami");

        Assert.True(r.ExitCode == 0, $"kubectl {minor} auth whoami: {r}");
        Assert.Matches(@"(?m)^Username\s+jane\s*$", r.Stdout);
    }

    [Fact]
    public async Task Discovery_ListsTheReviews()
    {
        var r = await Jane.RunAsync("api-resources", "--api-group=authorization.k8s.io");

        Assert.True(r.ExitCode == 0, $"api-resources: {r}");
        Assert.Matches(@"(?m)^selfsubjectaccessreviews\s+authorization\.k8s\.io/v1\s+false\s+SelfSubjectAccessReview\s*$", r.Stdout);
        Assert.Matches(@"(?m)^subjectaccessreviews\s+authorization\.k8s\.io/v1\s+false\s+SubjectAccessReview\s*$", r.Stdout);
    }

    [Fact]
    public async Task As_ActsAsTheUser_WhenTheCallerMayImpersonate()
    {
        var ns = await NamespaceAsync("rbac-as");

        var asJane = await Admin.RunAsync("--as", "jane", "get", "pods", "-n", ns);
        var whoami = await Admin.RunAsync("--as", "jane", "--as-group", "qa", "auth", "whoami");
        // kubectl prints a refused discovery as "Error from server (Forbidden): unknown" and a refused whoami as its own
        // sentence, against kube-apiserver too; Http_ImpersonationWithoutTheVerb_Gets403Status checks the Status itself.
        var janeAsAdmin = await Jane.RunAsync("--as", "admin", "auth", "whoami");

        Assert.Equal(1, asJane.ExitCode);
        Assert.Contains($"pods is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"", asJane.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^Username\s+jane\s*$", whoami.Stdout);
        Assert.Matches(@"(?m)^Groups\s+\[qa system:authenticated\]\s*$", whoami.Stdout);
        Assert.Equal(1, janeAsAdmin.ExitCode);
        Assert.True(janeAsAdmin.Stderr.Contains("the selfsubjectreviews API is not enabled in the cluster or you do not have permission to call it", StringComparison.Ordinal), $"{janeAsAdmin}");
    }

    [Fact]
    public async Task Http_ImpersonationWithoutTheVerb_Gets403Status()
    {
        using var http = KubeconfigView.Read(api.Silo.Kubeconfig).Client(api.Silo.ApiUrl, RbacApiFixture.JaneToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api");
        request.Headers.Add("Impersonate-User", "admin");

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"users \"admin\" is forbidden: User \"jane\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope","reason":"Forbidden","details":{"name":"admin","kind":"users"},"code":403}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task KubernetesClient_SeesA403WithTheStatus()
    {
        var ns = await NamespaceAsync("rbac-kc");
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.BobKubeconfig));

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedConfigMapAsync(ns));

        Assert.Equal(HttpStatusCode.Forbidden, e.Response.StatusCode);
        var status = JsonNode.Parse(e.Response.Content)!;
        Assert.Equal("Forbidden", (string?)status["reason"]);
        Assert.Equal(403, (int?)status["code"]);
        Assert.Equal("configmaps", (string?)status["details"]!["kind"]);
        Assert.Equal($"configmaps is forbidden: User \"bob\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"{ns}\"", (string?)status["message"]);
    }

    [Fact]
    public async Task DefaultRoles_AreServed_AndAggregationFollowsLabels()
    {
        var roles = await Admin.RunAsync("get", "clusterroles");
        Assert.True(roles.ExitCode == 0, $"get clusterroles: {roles}");
        Assert.Matches(@"(?m)^NAME\s+CREATED AT\s*$", roles.Stdout);
        foreach (var name in new[] { "cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery", "system:public-info-viewer" })
            Assert.Matches($@"(?m)^{name}\s+\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s*$", roles.Stdout);

        var widget = $"widgets-{Guid.NewGuid():N}"[..14];
        var manifest = $$$"""
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
             "metadata": {"name": "{{{widget}}}", "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
             "rules": [{"apiGroups": ["example.com"], "resources": ["{{{widget}}}"], "verbs": ["get"]}]}
            """;
        var create = await Admin.RunWithStdinAsync(manifest, "create", "-f", "-");
        Assert.True(create.ExitCode == 0, $"create aggregated role: {create}");
        // The controller fills view, edit (which aggregates view) and admin (which aggregates edit).
        foreach (var aggregated in new[] { "view", "edit", "admin" })
            await EventuallyAsync($"{aggregated} aggregates {widget}", async () =>
            {
                var r = await Admin.RunAsync("get", "clusterrole", aggregated, "-o", "jsonpath={.rules[*].resources}");
                return r.Stdout.Contains(widget, StringComparison.Ordinal) ? r : r with { ExitCode = 1 };
            });
    }

    [Fact]
    public async Task Writes_AreAudited_AllowedAndDenied()
    {
        var ns = await NamespaceAsync("rbac-audit");

        var allowed = await Admin.RunAsync("create", "configmap", "audited", "-n", ns);
        var denied = await Jane.RunAsync("create", "configmap", "refused", "-n", ns);
        Assert.True(allowed.ExitCode == 0, $"create configmap: {allowed}");
        Assert.Equal(1, denied.ExitCode);

        var events = File.ReadAllLines(api.AuditLog).Select(l => JsonNode.Parse(l)!).ToList();
        var created = events.Single(e => (string?)e["objectRef"]?["namespace"] == ns && (string?)e["objectRef"]?["resource"] == "configmaps" && (string?)e["user"]!["username"] == "admin");
        var refused = events.Single(e => (string?)e["objectRef"]?["namespace"] == ns && (string?)e["user"]!["username"] == "jane");
        Assert.Equal(("audit.k8s.io/v1", "Event", "Metadata", "ResponseComplete", "create"),
            ((string?)created["apiVersion"], (string?)created["kind"], (string?)created["level"], (string?)created["stage"], (string?)created["verb"]));
        Assert.Equal(201, (int?)created["responseStatus"]!["code"]);
        Assert.Equal("127.0.0.1", (string?)created["sourceIPs"]![0]);
        Assert.StartsWith("kubectl", (string?)created["userAgent"], StringComparison.Ordinal);
        Assert.StartsWith($"/api/v1/namespaces/{ns}/configmaps", (string?)created["requestURI"], StringComparison.Ordinal);
        Assert.Equal(403, (int?)refused["responseStatus"]!["code"]);
        Assert.Equal("configmaps", (string?)refused["objectRef"]!["resource"]);
        // Reads are not audited.
        Assert.DoesNotContain(events, e => (string?)e["verb"] is "get" or "list" or "watch");
    }
}
