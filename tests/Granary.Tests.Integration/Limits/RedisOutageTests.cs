using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Granary.Tests.Integration.ApiSecurity;
using Granary.Tests.Integration.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Granary.Tests.Integration.Limits;

/// <summary>
/// Redis goes away under a Redis-backed silo: writes answer 503 ServiceUnavailable (or 504 Timeout) with Retry-After
/// and a correlation id, never the exception's text; KubernetesClient surfaces the Status; kubectl waits and retries
/// by the Retry-After; and once Redis is back on its port, the same writes succeed.
/// </summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);
    private static readonly string[] PassingReasons = ["ServiceUnavailable", "Timeout"];
    private static readonly string[] RedisBinaries = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-redisout-").FullName;
    private readonly int _redisPort = FreePort.Next();
    private ChildProcess? _redis;
    private SiloProcess? _silo;

    public async Task InitializeAsync()
    {
        _redis = await StartRedisAsync();
        _silo = await SiloProcess.StartInAsync(_dir, "kubeconfig", $"127.0.0.1:{_redisPort}", $"redisout-{Guid.NewGuid():N}"[..14],
            [.. SiloProcess.AgentlessNodes]);
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
            await _silo.DisposeAsync();
        if (_redis is not null)
            await _redis.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task RedisDown_WritesAre503WithRetryAfter_KubectlRetries_AndRedisBackRecovers()
    {
        var silo = _silo!;
        var kubeconfig = KubeconfigView.Read(silo.Kubeconfig);
        using var http = kubeconfig.Client(silo.ApiUrl, kubeconfig.Token);
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(silo.Kubeconfig));
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("before"), "default");

        await _redis!.StopAsync();

        // The raw answer: kube's wording, a Retry-After, a correlation id, and nothing of the exception's text.
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        using var refused = await http.PostAsJsonAsync("/api/v1/namespaces/default/configmaps", new { apiVersion = "v1", kind = "ConfigMap", metadata = new { name = "during" } }, timeout.Token);
        var body = await refused.Content.ReadAsStringAsync(timeout.Token);
        Assert.True(refused.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout, $"expected 503 or 504, got {(int)refused.StatusCode}: {body}");
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        using (var status = JsonDocument.Parse(body))
        {
            var root = status.RootElement;
            Assert.Equal("Status", root.GetProperty("kind").GetString());
            Assert.Equal((int)refused.StatusCode, root.GetProperty("code").GetInt32());
            Assert.Contains(root.GetProperty("reason").GetString(), PassingReasons);
            var message = root.GetProperty("message").GetString()!;
            Assert.Matches("^(the server is currently unable to handle the request|Timeout: request did not complete within the allowed time): ", message);
            Assert.Contains("correlation id", message, StringComparison.Ordinal);
            Assert.DoesNotContain(_redisPort.ToString(CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        }

        // KubernetesClient surfaces the same Status.
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("during-client"), "default"));
        Assert.True(e.Response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout, $"got {(int)e.Response.StatusCode}: {e.Response.Content}");
        var clientStatus = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Contains(clientStatus.Reason, PassingReasons);

        // kubectl is refused, waits by Retry-After and tries again; Redis comes back meanwhile, and it succeeds.
        var kubectl = new Kubectl(silo.Kubeconfig, Path.Combine(_dir, "kube-cache"));
        await using var create = kubectl.Start("-v=6", "create", "configmap", "retried", "--from-literal=a=b");
        await create.WaitForLineAsync("/configmaps", AnswerTimeout, "kubectl's first create while Redis is down");
        var firstAnswer = await Task.WhenAny(
            create.WaitForLineAsync(" 503 Service Unavailable", AnswerTimeout, "kubectl refused while Redis is down"),
            create.WaitForLineAsync(" 504 Gateway Timeout", AnswerTimeout, "kubectl refused while Redis is down"));
        Assert.Contains("/configmaps", await firstAnswer, StringComparison.Ordinal);
        _redis = await StartRedisAsync();
        Assert.Equal(0, await create.WaitForExitAsync(AnswerTimeout, "kubectl create retrying until Redis is back"));
        Assert.Contains("configmap/retried created", create.Output, StringComparison.Ordinal);

        // Recovered: the write that was refused now succeeds, and what was stored before is still there.
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("after"), "default");
        var names = (await client.CoreV1.ListNamespacedConfigMapAsync("default")).Items.Select(c => c.Metadata.Name).ToList();
        Assert.Contains("before", names);
        Assert.Contains("retried", names);
        Assert.False(silo.Process.HasExited, $"the silo exited while Redis was down:\n{silo.Process.Output}");
    }

    private static V1ConfigMap ConfigMap(string name) => new() { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["a"] = "b" } };

    /// <summary>A redis-server on this test's own port, started again on the same port after a stop.</summary>
    private async Task<ChildProcess> StartRedisAsync()
    {
        var binary = RedisBinaries.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed: run the README's test command (scripts/test.sh), which installs it with apt-get");
        var redis = ChildProcess.Start($"redis-server:{_redisPort}", binary,
            ["--port", _redisPort.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir", _dir, "--protected-mode", "yes"]);
        await redis.WaitForLineAsync("Ready to accept connections", TimeSpan.FromSeconds(30), "starting redis-server");
        return redis;
    }
}
