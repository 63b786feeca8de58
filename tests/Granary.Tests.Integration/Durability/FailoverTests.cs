using Granary.Tests.Integration.Infrastructure;
using Xunit.Abstractions;

namespace Granary.Tests.Integration.Durability;

/// <summary>A Redis primary fails over to its replica through Sentinel, and a silo dies, both under HTTPS create load.</summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const string Service = "granary";

    [Fact]
    public async Task RedisPrimaryKilled_SentinelPromotesTheReplica_AndTheClusterContinues()
    {
        await using var primary = await RedisProcess.StartAsync();
        await using var replica = await RedisProcess.StartAsync("--replicaof", "127.0.0.1", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await replica.Process.WaitForLineAsync("MASTER <-> REPLICA sync: Finished with success", TimeSpan.FromSeconds(30), "the replica's first sync");
        await using var sentinel = await RedisProcess.StartSentinelAsync(primary, Service);
        await using var cluster = await DurabilityCluster.StartAsync($"{sentinel.Endpoint},serviceName={Service}", 2);
        Assert.Contains($"sentinel service {Service}", cluster.Silos[0].Process.Output, StringComparison.Ordinal);

        var load = new CreateLoad();
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(cluster.Clients, "default", 4, stop.Token);
        HashSet<string> beforeKill;
        int afterPromotion;
        try
        {
            await Waiting.UntilAsync(() => load.Acknowledged.Count >= 50, TimeSpan.FromSeconds(60), "creates before the primary is killed", () => $"{load.Acknowledged.Count} acknowledged");
            beforeKill = [.. load.Acknowledged];
            await primary.KillAsync();
            await sentinel.Process.WaitForLineAsync("+switch-master", TimeSpan.FromSeconds(60), "Sentinel promoting the replica");
            afterPromotion = load.Acknowledged.Count;
            var promoted = DateTime.UtcNow;
            await Waiting.UntilAsync(() => load.LastSuccess > promoted && load.Acknowledged.Count >= afterPromotion + 50, TimeSpan.FromSeconds(60),
                "creates succeeding again on the promoted replica", () => $"{load.Acknowledged.Count - afterPromotion} since the promotion; failures: {string.Join("\n", load.Failures.TakeLast(5))}");
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }

        var names = await DurabilityCluster.PodNamesAsync(cluster.Clients[0], "default", TimeSpan.FromSeconds(30));
        var missing = load.Acknowledged.Where(n => !names.Contains(n)).ToList();
        // Replication is asynchronous: what the primary acknowledged in its last moments may not have reached the
        // replica. Anything missing must be from before the kill; everything acknowledged since must be there.
        output.WriteLine($"acknowledged {load.Acknowledged.Count} ({beforeKill.Count} before the kill), missing after failover {missing.Count}: {string.Join(", ", missing)}; failures {load.Failures.Count}");
        Assert.All(missing, n => Assert.Contains(n, beforeKill));
        if (load.NotRetriable.Count > 0)
        {
            // The answers name a correlation id; the silos' logs hold the exception behind each.
            foreach (var silo in cluster.Silos)
                foreach (var line in silo.Process.Output.Split('\n').Where(l => l.Contains("Exception", StringComparison.Ordinal)).Take(40))
                    output.WriteLine(line);
        }
        Assert.True(load.NotRetriable.Count == 0, $"answers that were not retriable:\n{string.Join("\n", load.NotRetriable)}");
    }

    [Fact]
    public async Task OneOfThreeSilosKilled_UnderHttpsCreateLoad_LosesNoAcknowledgedCreate_AndEveryFailureWasRetriable()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var cluster = await DurabilityCluster.StartAsync(redis.Endpoint, 3);
        var load = new CreateLoad();
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(cluster.Clients, "default", 3, stop.Token);
        try
        {
            await Waiting.UntilAsync(() => load.Acknowledged.Count >= 60, TimeSpan.FromSeconds(60), "creates before a silo is killed", () => $"{load.Acknowledged.Count} acknowledged");
            await cluster.Silos[2].Process.KillAsync();
            var killed = DateTime.UtcNow;
            var atKill = load.Acknowledged.Count;
            await Waiting.UntilAsync(() => load.LastSuccess > killed && load.Acknowledged.Count >= atKill + 60, TimeSpan.FromSeconds(60),
                "creates going on through the surviving silos", () => $"{load.Acknowledged.Count - atKill} since the kill; failures: {string.Join("\n", load.Failures.TakeLast(5))}");
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }

        output.WriteLine($"acknowledged {load.Acknowledged.Count}, failed {load.Failures.Count}; kinds of failure:\n{string.Join("\n", load.Failures.Select(f => f[(f.IndexOf(':', StringComparison.Ordinal) + 2)..].Split(' ')[0]).GroupBy(k => k).Select(g => $"{g.Key} x{g.Count()}"))}");
        foreach (var client in cluster.Clients.Take(2))
        {
            var names = await DurabilityCluster.PodNamesAsync(client, "default", TimeSpan.FromSeconds(30));
            var lost = load.Acknowledged.Where(n => !names.Contains(n)).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} acknowledged creates are missing: {string.Join(", ", lost.Take(20))}");
        }
        // Every failure was a 503/504 with Retry-After or a connection error to the dead silo's API: all retriable.
        Assert.Empty(load.NotRetriable);
    }
}
