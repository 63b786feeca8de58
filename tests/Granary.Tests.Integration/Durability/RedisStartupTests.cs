using System.Net;
using System.Text;
using Granary.Tests.Integration.ApiSecurity;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Durability;

/// <summary>What a production silo checks about its Redis at start: persistence it can see, and a password and TLS that work.</summary>
public sealed class RedisStartupTests
{
    [Fact]
    public async Task Silo_OnRedisWithoutAof_RefusesToStartAndSaysHowToTurnItOn()
    {
        await using var redis = await RedisProcess.StartAsync("--appendonly", "no");
        var dir = Directory.CreateTempSubdirectory("granary-durability-silo-").FullName;
        try
        {
            var args = SiloProcess.Arguments(FreePort.Next(), FreePort.Next(), FreePort.Next(), Path.Combine(dir, "kubeconfig"), redis.Endpoint, "dur-noaof", []);
            await using var silo = ChildProcess.Start("silo:noaof", "dotnet", args);
            var code = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60), "a silo on a Redis without AOF");
            Assert.Equal(1, code);
            Assert.Contains("aof_enabled:0", silo.Output, StringComparison.Ordinal);
            Assert.Contains("appendonly yes", silo.Output, StringComparison.Ordinal);
            Assert.Contains("--redis-without-aof", silo.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Silo ready", silo.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Silo_WithRedisWithoutAof_StartsAndWarnsThatAcknowledgedWritesCanBeLost()
    {
        await using var redis = await RedisProcess.StartAsync("--appendonly", "no");
        await using var silo = await SiloProcess.StartAsync(redis.Endpoint, "dur-accept", "--redis-without-aof");
        Assert.Contains("--redis-without-aof accepts that", silo.Process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silo_OnRedisWithPasswordAndTls_StoresThroughIt_AndNeverLogsThePassword()
    {
        const string password = "s3cret-redis-pass";
        var certs = Directory.CreateTempSubdirectory("granary-durability-certs-").FullName;
        try
        {
            var files = TestCertificates.Write(certs);
            await using var redis = await RedisProcess.StartTlsAsync(files.Certificate, files.Key, files.Ca, "--requirepass", password);
            await using var silo = await SiloProcess.StartAsync($"{redis.Endpoint},password={password}", "dur-tls", "--redis-ca", files.Ca);

            var kubeconfig = KubeconfigView.Read(silo.Kubeconfig);
            using var client = kubeconfig.Client(silo.ApiUrl, kubeconfig.Token);
            using var body = new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"through-tls"},"data":{"k":"v"}}""", Encoding.UTF8, "application/json");
            using var created = await client.PostAsync("/api/v1/namespaces/default/configmaps", body);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            using var read = await client.GetAsync("/api/v1/namespaces/default/configmaps/through-tls");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);

            Assert.Contains($"Redis: {redis.Endpoint}, password set, TLS", silo.Process.Output, StringComparison.Ordinal);
            Assert.Contains("keeps an append-only file", silo.Process.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(password, silo.Process.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(certs, recursive: true);
        }
    }
}
