using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Granary.Bench;

/// <summary>
/// The soak run's load: per client a namespace, a loop of create, get, list, event and delete of pods, and a watcher
/// whose watches come and go. Every answer is checked by its status code; a wrong one is counted as an error with
/// what was wrong (the first few are kept), never retried. Runs until the token is cancelled.
/// </summary>
internal sealed class SoakTraffic(ApiAccess api, int clients) : IDisposable
{
    /// <summary>Pods each client keeps alive: it deletes the pod it created this many iterations before.</summary>
    private const int LivePodsPerClient = 20;
    private const int KeptErrors = 5;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private readonly string _run = Guid.NewGuid().ToString("N")[..6];
    private readonly HttpClient[] _clients = [.. Enumerable.Range(0, clients).Select(_ => api.CreateClient(RequestTimeout, maxConnections: 1))];
    // Watches hold their connection for seconds; they get their own clients so they never queue the loop's requests.
    private readonly HttpClient[] _watchers = [.. Enumerable.Range(0, clients).Select(_ => api.CreateClient(RequestTimeout, maxConnections: 1))];
    private readonly ConcurrentQueue<string> _errors = new();
    private long _requests;
    private long _errorCount;
    private long _watches;
    private long _watchEvents;

    public long Requests => Interlocked.Read(ref _requests);

    public long Errors => Interlocked.Read(ref _errorCount);

    /// <summary>Watches that ended (by the server's timeout or the client's choice).</summary>
    public long Watches => Interlocked.Read(ref _watches);

    public long WatchEvents => Interlocked.Read(ref _watchEvents);

    public IReadOnlyCollection<string> FirstErrors => _errors;

    private string Namespace(int client) => $"soak-{_run}-{client:00}";

    public async Task CreateNamespacesAsync(CancellationToken ct)
    {
        for (var c = 0; c < clients; c++)
        {
            var body = $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{Namespace(c)}}}"}}""";
            var (code, text) = await SendAsync(_clients[c], HttpMethod.Post, "/api/v1/namespaces", body, ct);
            if (code != HttpStatusCode.Created)
                throw new BenchmarkException($"creating namespace {Namespace(c)} failed: HTTP {(int)code}: {Shorten(text)}");
        }
    }

    /// <summary>Runs every client's loop and watcher until <paramref name="ct"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken ct) =>
        Task.WhenAll(Enumerable.Range(0, clients).SelectMany(c => new[] { LoopAsync(c, ct), WatchAsync(c, ct) }));

    private async Task LoopAsync(int c, CancellationToken ct)
    {
        var pods = $"/api/v1/namespaces/{Namespace(c)}/pods";
        for (var i = 0; !ct.IsCancellationRequested; i++)
        {
            var pod = PodName(c, i);
            await CheckAsync(c, HttpMethod.Post, pods, PodJson(pod), HttpStatusCode.Created, ct);
            await CheckAsync(c, HttpMethod.Get, $"{pods}/{pod}", null, HttpStatusCode.OK, ct);
            await CheckAsync(c, HttpMethod.Get, $"{pods}?limit=50", null, HttpStatusCode.OK, ct);
            await CheckAsync(c, HttpMethod.Post, $"/api/v1/namespaces/{Namespace(c)}/events", EventJson(Namespace(c), pod, i), HttpStatusCode.Created, ct);
            if (i >= LivePodsPerClient)
                await CheckAsync(c, HttpMethod.Delete, $"{pods}/{PodName(c, i - LivePodsPerClient)}", null, HttpStatusCode.OK, ct);
        }
    }

    private async Task CheckAsync(int c, HttpMethod method, string path, string? json, HttpStatusCode expected, CancellationToken ct)
    {
        string? problem;
        try
        {
            var (code, text) = await SendAsync(_clients[c], method, path, json, ct);
            problem = code == expected ? null : $"{method} {path}: HTTP {(int)code}, expected {(int)expected}: {Shorten(text)}";
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return; // the run is over; a request cut short is not an error
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            problem = $"{method} {path}: {(e is TaskCanceledException ? $"no answer within {RequestTimeout.TotalSeconds:0} s" : e.Message)}";
        }
        Interlocked.Increment(ref _requests);
        if (problem is not null)
            Failed(problem);
    }

    /// <summary>
    /// Opens watches on the client's namespace one after another: half end by the server's timeoutSeconds, half are
    /// closed by the client after a random time, so the silo sees watchers arrive and leave all the time.
    /// </summary>
    private async Task WatchAsync(int c, CancellationToken ct)
    {
        var random = new Random(c);
        while (!ct.IsCancellationRequested)
        {
            var serverTimeout = random.Next(1, 11);
            var clientCloses = random.Next(2) == 0;
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (clientCloses)
                watch.CancelAfter(TimeSpan.FromMilliseconds(random.Next(500, serverTimeout * 1000)));
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{Namespace(c)}/pods?watch=true&timeoutSeconds={serverTimeout}");
                using var response = await _watchers[c].SendAsync(request, HttpCompletionOption.ResponseHeadersRead, watch.Token);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Failed($"watch of {Namespace(c)}: HTTP {(int)response.StatusCode}: {Shorten(await response.Content.ReadAsStringAsync(ct))}");
                    continue;
                }
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(watch.Token));
                while (await reader.ReadLineAsync(watch.Token) is { } line)
                {
                    if (line.Length > 0)
                        Interlocked.Increment(ref _watchEvents);
                }
                Interlocked.Increment(ref _watches);
            }
            catch (OperationCanceledException) when (watch.IsCancellationRequested)
            {
                if (ct.IsCancellationRequested)
                    return;
                Interlocked.Increment(ref _watches); // closed by the client, as planned
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                Failed($"watch of {Namespace(c)}: {e.Message}");
            }
        }
    }

    private void Failed(string problem)
    {
        if (Interlocked.Increment(ref _errorCount) <= KeptErrors)
            _errors.Enqueue(problem);
    }

    private string PodName(int client, int i) => $"soak-{client:00}-{i:0000000}";

    private static string PodJson(string name) =>
        $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","labels":{"app":"granary-soak"}},"spec":{"containers":[{"name":"main","image":"local/busybox:1","command":["sleep","3600"]}]}}""";

    private static string EventJson(string ns, string pod, int i)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        return $$$"""{"apiVersion":"v1","kind":"Event","metadata":{"name":"{{{pod}}}.soak{{{i:x8}}}","namespace":"{{{ns}}}"},"involvedObject":{"apiVersion":"v1","kind":"Pod","namespace":"{{{ns}}}","name":"{{{pod}}}"},"reason":"SoakTest","message":"iteration {{{i}}} of the soak run","type":"Normal","count":1,"firstTimestamp":"{{{now}}}","lastTimestamp":"{{{now}}}","source":{"component":"granary-soak"}}""";
    }

    private static async Task<(HttpStatusCode Code, string Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request, ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + " …";

    public void Dispose()
    {
        foreach (var client in _clients.Concat(_watchers))
            client.Dispose();
    }
}
