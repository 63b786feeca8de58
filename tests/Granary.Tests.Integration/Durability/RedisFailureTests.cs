using System.Net;
using System.Text;
using System.Text.Json;
using Granary.Tests.Integration.Infrastructure;
using Xunit.Abstractions;

namespace Granary.Tests.Integration.Durability;

/// <summary>Redis dies under load and comes back with its append-only file, or comes back without its data.</summary>
public sealed class RedisFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RedisKilledUnderCreateLoad_RestartedWithItsAof_KeepsEveryAcknowledgedCreate_AndSilosRecoverByThemselves()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var cluster = await DurabilityCluster.StartAsync(redis.Endpoint, 2);
        var load = new CreateLoad();
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(cluster.Clients, "default", 4, stop.Token);
        try
        {
            await Waiting.UntilAsync(() => load.Acknowledged.Count >= 50, TimeSpan.FromSeconds(60), "creates before Redis is killed", () => $"{load.Acknowledged.Count} acknowledged");
            await redis.KillAsync();
            // Barrier: a silo has seen Redis gone (its watch cache polls the store every second).
            await cluster.Silos[0].Process.WaitForLineAsync("could not read the store", TimeSpan.FromSeconds(30), "the silo noticing Redis is gone");
            var beforeRestart = load.Acknowledged.Count;
            await redis.RestartAsync(withoutData: false);
            var restarted = DateTime.UtcNow;
            await Waiting.UntilAsync(() => load.LastSuccess > restarted && load.Acknowledged.Count >= beforeRestart + 50, TimeSpan.FromSeconds(60),
                "creates succeeding again after Redis came back", () => $"{load.Acknowledged.Count - beforeRestart} since the restart; failures: {string.Join("\n", load.Failures.TakeLast(5))}");
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }

        output.WriteLine($"acknowledged {load.Acknowledged.Count}, failed {load.Failures.Count}; first failures:\n{string.Join("\n", load.Failures.Take(5))}");
        foreach (var client in cluster.Clients)
        {
            var names = await DurabilityCluster.PodNamesAsync(client, "default", TimeSpan.FromSeconds(30));
            var lost = load.Acknowledged.Where(n => !names.Contains(n)).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} acknowledged creates are missing: {string.Join(", ", lost.Take(20))}");
        }
        Assert.Empty(load.NotRetriable);
    }

    [Fact]
    public async Task RedisRestartedWithoutData_EverySiloRelists_WatchesEndWith410_AndNothingStaleIsServed()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var cluster = await DurabilityCluster.StartAsync(redis.Endpoint, 2);
        var (first, second) = (cluster.Clients[0], cluster.Clients[1]);
        await CreateAsync(first, "/api/v1/namespaces", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"lost"}}""");
        foreach (var name in new[] { "a", "b", "c" })
            await CreateAsync(first, "/api/v1/namespaces/lost/pods", Pod(name));
        using var list = JsonDocument.Parse(await second.GetStringAsync("/api/v1/namespaces/lost/pods"));
        var version = list.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
        var oldUid = await UidAsync(second, "a");
        Assert.Equal(3, list.RootElement.GetProperty("items").GetArrayLength());

        // A watch on each silo, and the objects read through each, so activations hold them.
        using var watchCts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var watches = cluster.Clients.Select(c => FirstErrorAsync(c, $"/api/v1/namespaces/lost/pods?watch=true&resourceVersion={version}", watchCts.Token)).ToList();
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/v1/namespaces/lost/pods/b")).StatusCode);

        await redis.RestartAsync(withoutData: true);

        foreach (var error in await Task.WhenAll(watches))
        {
            Assert.Equal(410, error.GetProperty("code").GetInt32());
            Assert.Equal("Expired", error.GetProperty("reason").GetString());
        }
        foreach (var silo in cluster.Silos)
            Assert.NotEmpty(silo.Process.Lines("Redis lost the pods data"));

        foreach (var client in cluster.Clients)
        {
            // Never the old object as if it still existed: it is gone, and the list says so.
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/namespaces/lost/pods/b")).StatusCode);
            Assert.Empty(await DurabilityCluster.PodNamesAsync(client, "lost", TimeSpan.FromSeconds(30)));
            // A watch from before the loss is told to list again rather than resumed in another history.
            var late = await FirstErrorAsync(client, $"/api/v1/namespaces/lost/pods?watch=true&resourceVersion={version}", watchCts.Token);
            Assert.Equal(410, late.GetProperty("code").GetInt32());
        }

        // The cluster goes on: the same names can be created again, as new objects with newer versions.
        await CreateAsync(second, "/api/v1/namespaces", """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"lost"}}""");
        await CreateAsync(second, "/api/v1/namespaces/lost/pods", Pod("a"));
        Assert.NotEqual(oldUid, await UidAsync(first, "a"));
        using var after = JsonDocument.Parse(await first.GetStringAsync("/api/v1/namespaces/lost/pods"));
        Assert.True(long.Parse(after.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            > long.Parse(version, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string Pod(string name) =>
        $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}"},"spec":{"schedulerName":"none","containers":[{"name":"c","image":"busybox"}]}}""";

    private static async Task CreateAsync(HttpClient client, string path, string json)
    {
        using var body = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<string> UidAsync(HttpClient client, string pod)
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync($"/api/v1/namespaces/lost/pods/{pod}"));
        return doc.RootElement.GetProperty("metadata").GetProperty("uid").GetString()!;
    }

    /// <summary>Reads a watch until its first ERROR event and returns that event's Status object.</summary>
    private static async Task<JsonElement> FirstErrorAsync(HttpClient client, string path, CancellationToken ct)
    {
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.GetProperty("type").GetString() == "ERROR")
                return doc.RootElement.GetProperty("object").Clone();
        }
        throw new InvalidOperationException($"the watch {path} ended without an ERROR event");
    }
}
