using System.Net;
using System.Security.Cryptography.X509Certificates;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.ApiSecurity;

/// <summary>How a production silo's API security starts: generated files reused and shared, given certificates and token
/// files, and the settings it refuses.</summary>
public sealed class ApiSecurityStartTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);
    private static readonly string[] SharedKubeconfigs = ["kubeconfig-a", "kubeconfig-b"];
    private static readonly string[] GeneratedFiles = ["tokens.csv", "tls/ca.pem", "tls/ca.crt", "tls/serving.pem"];
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-apisec-start-").FullName;

    private static string ClusterId() => $"apisec-{Guid.NewGuid():N}"[..14];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Restart_ReusesTheGeneratedCertificateAndToken()
    {
        var clusterId = ClusterId();
        KubeconfigView first, second;
        X509Certificate2? servedFirst = null, servedSecond = null;
        await using (var silo = await SiloProcess.StartInAsync(_dir, "kubeconfig", redis.Endpoint, clusterId))
        {
            first = KubeconfigView.Read(silo.Kubeconfig);
            using var http = first.Client(silo.ApiUrl, first.Token, c => servedFirst = c);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/namespaces")).StatusCode);
        }
        var files = SecretFiles();

        await using (var silo = await SiloProcess.StartInAsync(_dir, "kubeconfig", redis.Endpoint, clusterId))
        {
            second = KubeconfigView.Read(silo.Kubeconfig);
            // The first start's CA and token still let a client in.
            using var http = first.Client(silo.ApiUrl, first.Token, c => servedSecond = c);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/namespaces")).StatusCode);
        }

        Assert.Equal(first.CaPem, second.CaPem);
        Assert.Equal(first.Token, second.Token);
        Assert.NotNull(servedFirst);
        Assert.Equal(servedFirst.Thumbprint, servedSecond?.Thumbprint);
        Assert.Equal(files, SecretFiles());
    }

    [Fact]
    public async Task TwoSilosSharingTheFolder_StartingAtOnce_UseOneCaAndOneToken()
    {
        var clusterId = ClusterId();
        var starting = SharedKubeconfigs
            .Select(name => SiloProcess.StartInAsync(_dir, name, redis.Endpoint, clusterId)).ToList();
        await Task.WhenAll(starting.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
        var silos = starting.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result).ToList();
        try
        {
            Assert.All(starting, s => Assert.True(s.IsCompletedSuccessfully, s.Exception?.ToString()));
            var a = KubeconfigView.Read(silos[0].Kubeconfig);
            var b = KubeconfigView.Read(silos[1].Kubeconfig);

            Assert.Equal(a.CaPem, b.CaPem);
            Assert.Equal(a.Token, b.Token);
            foreach (var silo in silos)
            {
                using var http = a.Client(silo.ApiUrl, a.Token);
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/namespaces")).StatusCode);
            }
        }
        finally
        {
            foreach (var silo in silos)
                await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task TokenAuthFile_ItsTokensLetIn_AndTheAdminsGoesToTheKubeconfig()
    {
        var tokens = Path.Combine(_dir, "given-tokens.csv");
        await File.WriteAllTextAsync(tokens, """
            # operators
            viewer-token-1,jane,1001
            admin-token-2,root,1000,"system:masters,ops"

            """);

        await using var silo = await SiloProcess.StartInAsync(_dir, "kubeconfig", redis.Endpoint, ClusterId(), "--token-auth-file", tokens);
        var kubeconfig = KubeconfigView.Read(silo.Kubeconfig);
        using var viewer = kubeconfig.Client(silo.ApiUrl, "viewer-token-1");
        using var stranger = kubeconfig.Client(silo.ApiUrl, "viewer-token-2");

        Assert.Equal("admin-token-2", kubeconfig.Token);
        // jane is let in (discovery is every authenticated user's) but has no RBAC binding: 403, not 401.
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/v1/namespaces")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/v1/namespaces")).StatusCode);
        var get = await new Kubectl(silo.Kubeconfig, Path.Combine(_dir, "kube-cache")).RunAsync("get", "ns", "default", "-o", "name");
        Assert.True(get.ExitCode == 0, $"kubectl get ns default: {get}");
        Assert.Equal("namespace/default\n", get.Stdout);
        Assert.False(File.Exists(Path.Combine(_dir, "tokens.csv")), "a token file was generated although one was given");
    }

    [Fact]
    public async Task TokenAuthFile_Malformed_StopsTheSiloNamingTheLine()
    {
        var tokens = Path.Combine(_dir, "bad-tokens.csv");
        await File.WriteAllTextAsync(tokens, "# token,user,uid\nok-token,jane,1001\nbroken-token,bob\n");

        var (exit, output) = await RunUntilExitAsync(redis.Endpoint, "--token-auth-file", tokens);

        Assert.Equal(2, exit);
        Assert.Contains($"error: the token file {tokens} is malformed at line 3: it has 2 column(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokensOnPlainHttp_AreRefused()
    {
        var tokens = Path.Combine(_dir, "tokens-for-http.csv");
        await File.WriteAllTextAsync(tokens, "some-token,jane,1001\n");

        var (exit, output) = await RunUntilExitAsync(redis.Endpoint, "--api-tls", "false", "--token-auth-file", tokens);

        Assert.Equal(2, exit);
        Assert.Contains("error: --token-auth-file needs HTTPS, but the API serves plain HTTP (--api-tls false)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiTlsFalse_ServesPlainHttpWithoutAuthentication_AndWarns()
    {
        await using var silo = await SiloProcess.StartInAsync(_dir, "kubeconfig", redis.Endpoint, ClusterId(), "--api-tls", "false");
        using var http = new HttpClient { BaseAddress = silo.ApiUrl };

        Assert.Equal("http", silo.ApiUrl.Scheme);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/namespaces")).StatusCode);
        Assert.Single(silo.Process.Lines("serves plain HTTP without authentication (--api-tls false)"));
        Assert.False(Directory.Exists(Path.Combine(_dir, "tls")));
    }

    [Fact]
    public async Task GivenCertificateWithItsCa_IsServedAndVerified()
    {
        var certificates = TestCertificates.Write(_dir);

        await using var silo = await SiloProcess.StartInAsync(_dir, "kubeconfig", redis.Endpoint, ClusterId(),
            "--api-certificate", certificates.CertificatePath, "--api-certificate-key", certificates.KeyPath, "--api-certificate-ca", certificates.CaPath);
        var kubeconfig = KubeconfigView.Read(silo.Kubeconfig);
        X509Certificate2? served = null;
        using var http = kubeconfig.Client(silo.ApiUrl, kubeconfig.Token, c => served = c);
        var get = await new Kubectl(silo.Kubeconfig, Path.Combine(_dir, "kube-cache")).RunAsync("get", "ns", "default", "-o", "name");

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/namespaces")).StatusCode);
        Assert.Equal(certificates.Thumbprint, served?.Thumbprint);
        Assert.False(kubeconfig.InsecureSkipTlsVerify);
        Assert.True(get.ExitCode == 0, $"kubectl get ns default: {get}");
        Assert.False(Directory.Exists(Path.Combine(_dir, "tls")), "a CA was generated although a certificate was given");
    }

    [Fact]
    public async Task GivenCertificateWithoutCa_KubeconfigSkipsVerification_AndSaysWhy()
    {
        var certificates = TestCertificates.Write(_dir);

        await using var silo = await SiloProcess.StartInAsync(_dir, "kubeconfig", redis.Endpoint, ClusterId(),
            "--api-certificate", certificates.CertificatePath, "--api-certificate-key", certificates.KeyPath);
        var kubeconfig = KubeconfigView.Read(silo.Kubeconfig);
        var get = await new Kubectl(silo.Kubeconfig, Path.Combine(_dir, "kube-cache")).RunAsync("get", "ns", "default", "-o", "name");

        Assert.True(kubeconfig.InsecureSkipTlsVerify);
        Assert.Null(kubeconfig.CaPem);
        Assert.Single(silo.Process.Lines("Pass --api-certificate-ca PATH"));
        Assert.True(get.ExitCode == 0, $"kubectl get ns default: {get}");
    }

    [Fact]
    public async Task CertificateWithoutKey_IsRefused()
    {
        var certificates = TestCertificates.Write(_dir);

        var (exit, output) = await RunUntilExitAsync(redis.Endpoint, "--api-certificate", certificates.CertificatePath);

        Assert.Equal(2, exit);
        Assert.Contains("error: --api-certificate and --api-certificate-key go together", output, StringComparison.Ordinal);
    }

    /// <summary>Starts a silo that is expected to refuse its settings, and returns its exit code and output.</summary>
    private async Task<(int Exit, string Output)> RunUntilExitAsync(string redisEndpoint, params string[] extraArgs)
    {
        int siloPort = FreePort.Next(), gatewayPort = FreePort.Next(), apiPort = FreePort.Next();
        var args = SiloProcess.Arguments(siloPort, gatewayPort, apiPort, Path.Combine(_dir, "kubeconfig"), redisEndpoint, ClusterId(), extraArgs);
        await using var process = ChildProcess.Start($"silo:{siloPort}", "dotnet", args);
        var exit = await process.WaitForExitAsync(ExitTimeout, $"silo {siloPort} refusing {string.Join(' ', extraArgs)}");
        return (exit, process.Output);
    }

    private Dictionary<string, string> SecretFiles() =>
        GeneratedFiles.ToDictionary(f => f, f => File.ReadAllText(Path.Combine(_dir, f)));
}
