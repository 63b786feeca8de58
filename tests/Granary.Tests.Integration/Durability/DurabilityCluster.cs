using System.Text.Json;
using Granary.Tests.Integration.ApiSecurity;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Durability;

/// <summary>
/// Production silos on one Redis, sharing a folder so they serve the API with one generated CA and admin token,
/// and HTTPS clients of each silo's API that trust that CA, as kubectl would.
/// </summary>
internal sealed class DurabilityCluster : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-durability-").FullName;
    private readonly List<SiloProcess> _silos = [];
    private readonly List<HttpClient> _clients = [];

    public IReadOnlyList<SiloProcess> Silos => _silos;

    public IReadOnlyList<HttpClient> Clients => _clients;

    public static async Task<DurabilityCluster> StartAsync(string redis, int silos, params string[] extraArgs)
    {
        var cluster = new DurabilityCluster();
        var clusterId = $"dur-{Guid.NewGuid():N}"[..12];
        try
        {
            // The first silo generates the CA and token in the shared folder; the others reuse them.
            // The cluster owns the silos it is given and stops them when it is disposed.
#pragma warning disable CA2000
            cluster.Add(await SiloProcess.StartInAsync(cluster._dir, "kubeconfig-0", redis, clusterId, [.. SiloProcess.AgentlessNodes, .. extraArgs]));
#pragma warning restore CA2000
            foreach (var silo in await Task.WhenAll(Enumerable.Range(1, silos - 1).Select(i =>
                SiloProcess.StartInAsync(cluster._dir, $"kubeconfig-{i}", redis, clusterId, [.. SiloProcess.AgentlessNodes, .. extraArgs]))))
                cluster.Add(silo);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private void Add(SiloProcess silo)
    {
        _silos.Add(silo);
        var kubeconfig = KubeconfigView.Read(silo.Kubeconfig);
        _clients.Add(kubeconfig.Client(silo.ApiUrl, kubeconfig.Token));
    }

    /// <summary>The pod names a consistent list through <paramref name="client"/> returns, retrying transient answers until the deadline.</summary>
    public static async Task<HashSet<string>> PodNamesAsync(HttpClient client, string @namespace, TimeSpan deadline)
    {
        using var cts = new CancellationTokenSource(deadline);
        var last = "";
        while (true)
        {
            try
            {
                using var response = await client.GetAsync($"/api/v1/namespaces/{@namespace}/pods", cts.Token);
                var text = await response.Content.ReadAsStringAsync(cts.Token);
                if (response.IsSuccessStatusCode)
                {
                    using var doc = JsonDocument.Parse(text);
                    return [.. doc.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()!)];
                }
                last = $"{(int)response.StatusCode} {text}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                break;
            }
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        throw new TimeoutException($"listing pods in {@namespace} did not succeed within {deadline.TotalSeconds:0}s; last answer: {last}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            client.Dispose();
        await Task.WhenAll(_silos.Select(s => s.DisposeAsync().AsTask()));
        Directory.Delete(_dir, recursive: true);
    }
}
