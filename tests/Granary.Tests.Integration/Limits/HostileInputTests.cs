using Granary.Hostile;
using Granary.Tests.Integration.Infrastructure;
using Xunit.Abstractions;

namespace Granary.Tests.Integration.Limits;

/// <summary>
/// A thousand seeded hostile requests and a few slow clients against a real silo's API: every answer is a 4xx with
/// a Kubernetes Status (or what kube-apiserver also accepts), none is a 5xx or no answer, the silo stays up and its
/// memory stays bounded.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Requests = 1000;
    private const int Seed = 11;

    /// <summary>Far above what the run needs (a few hundred MiB in a Debug build), far below a leak of the 4 MiB bodies it sends.</summary>
    private const long RssBoundBytes = 1536L * 1024 * 1024;

    private SiloProcess? _silo;

    public async Task InitializeAsync() =>
        _silo = await SiloProcess.StartAsync(null, $"hostile-{Guid.NewGuid():N}"[..14], [.. SiloProcess.AgentlessNodes, "--embedded-agent", "false"]);

    public async Task DisposeAsync()
    {
        if (_silo is not null)
            await _silo.DisposeAsync();
    }

    [Fact]
    public async Task HostileRequests_AreAllAnsweredAsKubeApiserverWould_AndTheSiloStaysUp()
    {
        var silo = _silo!;
        // Dev mode serves HTTPS with the kubeconfig's CA and admin token, as users reach it.
        var kubeconfig = Granary.Tests.Integration.ApiSecurity.KubeconfigView.Read(silo.Kubeconfig);
        var target = new HostileTarget(silo.ApiUrl, kubeconfig.Ca, kubeconfig.Token);
        var ns = $"hostile-{Seed}-{Guid.NewGuid():N}"[..20];
        var corpus = new HostileCorpus(ns);
        var requests = corpus.Generate(Requests, Seed);
        Assert.Equal(Requests, requests.Count);
        Assert.Equal(14, requests.Select(r => r.Category).Distinct().Count());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var rssBefore = ProcessMemory.RssBytes(silo.Process.Id);

        await HostileRun.EnsureAsync(target, corpus.Setup(), [201], timeout.Token);
        var slow = SlowClients.RunAsync(target, ns, 1, timeout.Token);
        var outcomes = (await HostileRun.RunAsync(target, requests, 8, timeout.Token)).Concat(await slow).ToList();
        await HostileRun.EnsureAsync(target, [corpus.Teardown()], [200, 202], timeout.Token);

        var rssAfter = ProcessMemory.RssBytes(silo.Process.Id);
        output.WriteLine(HostileRun.Summary(outcomes));
        output.WriteLine($"silo RSS {rssBefore / (1024 * 1024)} MiB before, {rssAfter / (1024 * 1024)} MiB after");
        Assert.True(outcomes.All(o => o.Problem is null), HostileRun.Problems(outcomes));
        Assert.DoesNotContain(outcomes, o => o.StatusCode >= 500);
        Assert.False(silo.Process.HasExited, $"the silo exited:\n{silo.Process.Output}");
        Assert.True(rssAfter < RssBoundBytes, $"silo RSS {rssAfter} bytes after the run, more than {RssBoundBytes}");
        // Still serving ordinary requests after all that.
        using var http = silo.CreateHttpClient();
        using var after = await http.GetAsync("/api/v1/namespaces/default/configmaps", timeout.Token);
        Assert.Equal(System.Net.HttpStatusCode.OK, after.StatusCode);
    }
}
