using System.Diagnostics;
using System.Net;

namespace Granary.Bench;

/// <summary>One API call a run made: when (seconds into the run), which verb, how long it took, and whether it succeeded.</summary>
internal sealed record ApiSample(double Seconds, string Verb, double LatencyMs, bool Ok);

/// <summary>
/// The background reader of a density run: one client at a time gets a pod that exists (one <c>pickPod</c> names, when
/// it names one), then lists a page of 100 pods, over and over until stopped, so read latency is measured while pods
/// are created and started.
/// </summary>
internal sealed class ApiReader : IAsyncDisposable
{
    private readonly List<ApiSample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ApiReader(HttpClient http, long startedAt, Func<Random, string?> pickPod)
    {
        _loop = RunAsync(http, startedAt, pickPod);
    }

    public IReadOnlyList<ApiSample> Samples
    {
        get
        {
            lock (_samples)
                return [.. _samples];
        }
    }

    private async Task RunAsync(HttpClient http, long startedAt, Func<Random, string?> pickPod)
    {
        var random = new Random(12345);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (pickPod(random) is { } pod)
                    await ReadAsync(http, "get", $"/api/v1/namespaces/{BenchObjects.Namespace}/pods/{pod}", startedAt);
                await ReadAsync(http, "list", $"/api/v1/namespaces/{BenchObjects.Namespace}/pods?limit=100", startedAt);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped at the end of the run.
        }
    }

    private async Task ReadAsync(HttpClient http, string verb, string path, long startedAt)
    {
        var at = Stopwatch.GetTimestamp();
        bool ok;
        try
        {
            using var response = await http.GetAsync(path, _stop.Token);
            await response.Content.ReadAsByteArrayAsync(_stop.Token);
            ok = response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            ok = false;
        }
        var sample = new ApiSample(Stopwatch.GetElapsedTime(startedAt, at).TotalSeconds, verb, Stopwatch.GetElapsedTime(at).TotalMilliseconds, ok);
        lock (_samples)
            _samples.Add(sample);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
