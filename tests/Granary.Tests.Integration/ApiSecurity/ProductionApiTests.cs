using System.Net;
using System.Text.Json.Nodes;

namespace Granary.Tests.Integration.ApiSecurity;

/// <summary>A production silo's API as kubectl and other HTTP clients meet it: HTTPS verified against the generated CA, bearer tokens.</summary>
public sealed class ProductionApiTests(ProductionApiFixture api) : IClassFixture<ProductionApiFixture>
{
    private const string UnauthorizedStatus =
        """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""";

    [Fact]
    public void Kubeconfig_HasHttpsTheGeneratedCaAndTheAdminToken()
    {
        var kubeconfig = api.Kubeconfig;

        Assert.Equal($"https://127.0.0.1:{api.Silo.ApiPort}", kubeconfig.Server);
        Assert.False(kubeconfig.InsecureSkipTlsVerify);
        Assert.Equal(File.ReadAllText(Path.Combine(api.Silo.Dir, "tls", "ca.crt")), kubeconfig.CaPem);
        Assert.Matches("^[0-9a-f]{64}$", kubeconfig.Token);
        Assert.Contains($"{kubeconfig.Token},admin,admin,\"system:masters\"", File.ReadAllText(Path.Combine(api.Silo.Dir, "tokens.csv")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_GetNamespaces_OverHttpsWithTheCaVerified()
    {
        // The kubeconfig as the silo wrote it: the CA is verified (no insecure flag anywhere) and the token sent.
        var r = await api.Kubectl().RunAsync("get", "ns");

        Assert.True(r.ExitCode == 0, $"kubectl get ns: {r}");
        Assert.Matches(@"(?m)^default\s+Active\s+", r.Stdout);
        Assert.Matches(@"(?m)^kube-system\s+Active\s+", r.Stdout);
    }

    [Fact]
    public async Task Kubectl_WithAWrongToken_MustLogIn()
    {
        var kubeconfig = Path.Combine(api.Dir, "wrong-token-kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, api.Kubeconfig.WithToken(new string('0', 64)));

        var r = await api.Kubectl(kubeconfig).RunAsync("get", "ns");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("You must be logged in to the server", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("default", r.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/namespaces", """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope","reason":"Forbidden","details":{"kind":"namespaces"},"code":403}""")]
    [InlineData("/api", """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \"system:anonymous\" cannot get path \"/api\"","reason":"Forbidden","code":403}""")]
    [InlineData("/api/v1/namespaces/default/pods/nope", """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"nope\" is forbidden: User \"system:anonymous\" cannot get resource \"pods\" in API group \"\" in the namespace \"default\"","reason":"Forbidden","details":{"name":"nope","kind":"pods"},"code":403}""")]
    public async Task Http_WithoutAToken_IsAnonymous_AndForbidden(string path, string status)
    {
        // As kube-apiserver with anonymous auth: no credentials is system:anonymous, whom RBAC grants public info only.
        using var http = api.Http(token: null);

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(status, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Http_WithAWrongToken_Gets401Status_EvenForVersion()
    {
        // As kube-apiserver: anonymous access is for requests without credentials; a wrong token is refused everywhere.
        using var http = api.Http(token: "not-a-token");

        using var list = await http.GetAsync("/api/v1/namespaces");
        using var version = await http.GetAsync("/version");

        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.Equal(UnauthorizedStatus, await list.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, version.StatusCode);
    }

    [Theory]
    [InlineData("/version")]
    [InlineData("/healthz")]
    [InlineData("/livez")]
    [InlineData("/readyz")]
    public async Task Http_PublicInfo_NeedsNoToken(string path)
    {
        using var http = api.Http(token: null);

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (path == "/version")
            Assert.Equal("32", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["minor"]);
    }

    [Fact]
    public async Task Http_WithTheAdminToken_Lists()
    {
        using var http = api.Http(api.Kubeconfig.Token);

        using var response = await http.GetAsync("/api/v1/namespaces");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("NamespaceList", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["kind"]);
    }

    [Fact]
    public async Task Http_PlainHttpOnTheHttpsPort_IsNotServed()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{api.Silo.ApiPort}"), Timeout = TimeSpan.FromSeconds(30) };

        // The TLS port never serves plain HTTP: the connection fails, or is answered with an error and nothing else.
        HttpResponseMessage? response = null;
        var failure = await Record.ExceptionAsync(async () => response = await http.GetAsync("/api/v1/namespaces"));

        if (failure is not null)
        {
            Assert.IsType<HttpRequestException>(failure);
            return;
        }
        using (response)
        {
            Assert.False(response!.IsSuccessStatusCode, $"plain HTTP on the HTTPS port answered {(int)response.StatusCode}");
            Assert.DoesNotContain("NamespaceList", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void SecretFiles_AreOwnerOnly()
    {
        string[] secrets = [api.Silo.Kubeconfig, Path.Combine(api.Silo.Dir, "tokens.csv"), Path.Combine(api.Silo.Dir, "tls", "ca.pem"), Path.Combine(api.Silo.Dir, "tls", "serving.pem")];

        foreach (var file in secrets)
            Assert.True(File.GetUnixFileMode(file) == (UnixFileMode.UserRead | UnixFileMode.UserWrite), $"{file} is {File.GetUnixFileMode(file)}");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(api.Silo.Dir, "tls")));
    }
}
