using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Granary.Bench;

/// <summary>
/// The churn scenario's mutating calls over HTTPS, as kubectl makes them: create a Deployment (POST), scale it
/// (merge PATCH of spec.replicas), delete it (DELETE, background propagation, so garbage collection removes its
/// ReplicaSet and pods). Every call is recorded with its latency; a failed one is counted, and the first failure kept
/// to explain a run whose pods never settle.
/// </summary>
internal sealed class DeploymentCalls(HttpClient http, long startedAt)
{
    public const string AppLabel = "granary-churn";
    private const string Path = $"/apis/apps/v1/namespaces/{BenchObjects.Namespace}/deployments";

    private readonly List<ApiSample> _samples = [];
    private string? _firstError;

    public IReadOnlyList<ApiSample> Samples
    {
        get
        {
            lock (_samples)
                return [.. _samples];
        }
    }

    public string? FirstError => Volatile.Read(ref _firstError);

    public Task RunAsync(ChurnOperation operation, CancellationToken ct) => operation.Verb switch
    {
        ChurnVerb.Create => CallAsync("create", HttpMethod.Post, Path, Body(operation.Deployment, operation.Replicas), "application/json", ct),
        ChurnVerb.Scale => CallAsync("patch", HttpMethod.Patch, $"{Path}/{operation.Deployment}",
            JsonSerializer.Serialize(new { spec = new { replicas = operation.Replicas } }), "application/merge-patch+json", ct),
        _ => CallAsync("delete", HttpMethod.Delete, $"{Path}/{operation.Deployment}",
            """{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"}""", "application/json", ct),
    };

    // Pods as the density scenario makes them: no cluster DNS and no token mount on a hollow node.
    private static string Body(string name, int replicas)
    {
        var labels = new Dictionary<string, string> { ["app"] = AppLabel, ["deployment"] = name };
        return JsonSerializer.Serialize(new
        {
            apiVersion = "apps/v1",
            kind = "Deployment",
            metadata = new { name, labels = new { app = AppLabel } },
            spec = new
            {
                replicas,
                selector = new { matchLabels = labels },
                template = new
                {
                    metadata = new { labels },
                    spec = new { dnsPolicy = "Default", automountServiceAccountToken = false, containers = new[] { new { name = "main", image = "registry.local/pause:3.9" } } },
                },
            },
        });
    }

    private async Task CallAsync(string verb, HttpMethod method, string path, string body, string contentType, CancellationToken ct)
    {
        var at = Stopwatch.GetTimestamp();
        string? error;
        try
        {
            using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            error = response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.Accepted ? null
                : $"{verb} {path} answered HTTP {(int)response.StatusCode}: {(text.Length > 300 ? text[..300] + " …" : text)}";
        }
        catch (HttpRequestException e)
        {
            error = $"{verb} {path} failed: {e.Message}";
        }
        var sample = new ApiSample(Stopwatch.GetElapsedTime(startedAt, at).TotalSeconds, verb, Stopwatch.GetElapsedTime(at).TotalMilliseconds, error is null);
        lock (_samples)
            _samples.Add(sample);
        if (error is not null)
            Interlocked.CompareExchange(ref _firstError, error, null);
    }
}
