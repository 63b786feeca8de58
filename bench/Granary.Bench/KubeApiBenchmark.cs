using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Granary.Bench;

/// <summary>
/// The kube-api benchmark: N clients, each an HttpClient with one connection and a namespace of its own, first
/// create M pods between them (POST), then get each (GET), then read M list pages of their namespaces
/// (GET ?limit=L, following continue tokens and starting over after the last page). Each client sends one
/// request at a time, so N requests are in flight. Every answer is checked (status code, and the object or list
/// it must carry); a wrong one is counted as an error with what was wrong, never retried.
/// </summary>
internal sealed class KubeApiBenchmark(ApiAccess api, KubeApiOptions options, TextWriter output) : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private readonly string _run = Guid.NewGuid().ToString("N")[..6];
    private readonly HttpClient[] _clients = [.. Enumerable.Range(0, options.Clients).Select(_ => api.CreateClient(RequestTimeout, maxConnections: 1))];

    public string Namespace(int client) => $"kapi-{_run}-{client:00}";

    /// <summary>Request i of every verb belongs to client i mod N; pod i lives in that client's namespace.</summary>
    private int ClientOf(int index) => index % options.Clients;

    private static string PodName(int index) => $"bench-pod-{index:000000}";

    private string PodPath(int index) => $"/api/v1/namespaces/{Namespace(ClientOf(index))}/pods";

    public async Task<KubeApiResult> RunAsync(CancellationToken ct)
    {
        var loadBefore = ProcessHelpers.LoadAverage();
        await CreateNamespacesAsync(ct);

        var create = new VerbStats("create", options.Requests);
        var get = new VerbStats("get", options.Requests);
        var list = new VerbStats($"list (limit {options.Limit})", options.Requests);
        output.WriteLine($"[2/4] creating {options.Requests} pods ({options.Clients} clients)");
        await RunPhaseAsync(create, CreateAsync, ct);
        output.WriteLine($"[3/4] getting each pod ({options.Clients} clients)");
        await RunPhaseAsync(get, GetAsync, ct);
        output.WriteLine($"[4/4] reading {options.Requests} list pages of {options.Limit} ({options.Clients} clients, each paging through its namespace)");
        var continueTokens = new string?[options.Clients];
        await RunPhaseAsync(list, (i, token) => ListAsync(i, continueTokens, token), ct);

        return new KubeApiResult
        {
            Clients = options.Clients,
            Requests = options.Requests,
            Verbs = [create, get, list],
            LoadBefore = loadBefore,
            LoadAfter = ProcessHelpers.LoadAverage(),
        };
    }

    private async Task CreateNamespacesAsync(CancellationToken ct)
    {
        output.WriteLine($"[1/4] creating {options.Clients} namespaces kapi-{_run}-NN, one per client");
        for (var c = 0; c < options.Clients; c++)
        {
            var body = $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{Namespace(c)}}}"}}""";
            var (code, text) = await SendAsync(_clients[c], HttpMethod.Post, "/api/v1/namespaces", body, ct);
            if (code != HttpStatusCode.Created)
                throw new BenchmarkException($"creating namespace {Namespace(c)} at {api} failed: HTTP {(int)code}: {Shorten(text)}");
        }
    }

    /// <summary>Deletes the run's namespaces (and so their pods); used against an API the benchmark did not start.</summary>
    public async Task DeleteNamespacesAsync(CancellationToken ct)
    {
        for (var c = 0; c < options.Clients; c++)
        {
            var (code, text) = await SendAsync(_clients[c], HttpMethod.Delete, $"/api/v1/namespaces/{Namespace(c)}", null, ct);
            if (code is not (HttpStatusCode.OK or HttpStatusCode.Accepted or HttpStatusCode.NotFound))
                output.WriteLine($"deleting namespace {Namespace(c)} failed: HTTP {(int)code}: {Shorten(text)}; delete it by hand");
        }
    }

    /// <summary>Runs one verb: each client sends its requests (index ≡ client mod N) one after another, with progress printed.</summary>
    private async Task RunPhaseAsync(VerbStats stats, Func<int, CancellationToken, Task<string?>> request, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await using (new ProgressPrinter(output, stats.Verb.Split(' ')[0], stats.Count, () => stats.Done, () => stats.Errors > 0 ? $"errors {stats.Errors}" : null))
        {
            await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(async c =>
            {
                for (var i = c; i < stats.Count; i += options.Clients)
                {
                    var at = Stopwatch.GetTimestamp();
                    string? problem;
                    try
                    {
                        problem = await request(i, ct);
                    }
                    catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException || (e is TaskCanceledException && !ct.IsCancellationRequested))
                    {
                        problem = e is TaskCanceledException ? $"no answer within {RequestTimeout.TotalSeconds:0} s" : $"{e.GetType().Name}: {e.Message}";
                    }
                    if (problem is null)
                        stats.Succeeded(i, at);
                    else
                        stats.Failed(i, at, $"request {i} ({stats.Verb}): {problem}");
                }
            }));
        }
        stats.Finish(Stopwatch.GetElapsedTime(started));
    }

    private async Task<string?> CreateAsync(int i, CancellationToken ct)
    {
        var body = $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{PodName(i)}}}","labels":{"app":"granary-bench"}},"spec":{"containers":[{"name":"main","image":"local/busybox:1","command":["sleep","3600"]}]}}""";
        var (code, text) = await SendAsync(_clients[ClientOf(i)], HttpMethod.Post, PodPath(i), body, ct);
        return code != HttpStatusCode.Created ? $"HTTP {(int)code}: {Shorten(text)}"
            : NameOf(text) != PodName(i) ? $"the answer is not pod {PodName(i)}: {Shorten(text)}"
            : null;
    }

    private async Task<string?> GetAsync(int i, CancellationToken ct)
    {
        var (code, text) = await SendAsync(_clients[ClientOf(i)], HttpMethod.Get, $"{PodPath(i)}/{PodName(i)}", null, ct);
        return code != HttpStatusCode.OK ? $"HTTP {(int)code}: {Shorten(text)}"
            : NameOf(text) != PodName(i) ? $"the answer is not pod {PodName(i)}: {Shorten(text)}"
            : null;
    }

    private async Task<string?> ListAsync(int i, string?[] continueTokens, CancellationToken ct)
    {
        var c = ClientOf(i);
        var token = continueTokens[c];
        var path = $"{PodPath(i)}?limit={options.Limit}" + (token is null ? "" : $"&continue={Uri.EscapeDataString(token)}");
        var (code, text) = await SendAsync(_clients[c], HttpMethod.Get, path, null, ct);
        if (code != HttpStatusCode.OK)
        {
            continueTokens[c] = null;
            return $"HTTP {(int)code}: {Shorten(text)}";
        }
        var list = JsonNode.Parse(text);
        var items = list?["items"]?.AsArray();
        continueTokens[c] = (string?)list?["metadata"]?["continue"] is { Length: > 0 } next ? next : null;
        return items is null ? $"the answer is not a list: {Shorten(text)}"
            : items.Count > options.Limit ? $"a page of {items.Count} items, more than the limit {options.Limit}"
            : items.Count == 0 ? $"an empty page of namespace {Namespace(c)}, which holds pods"
            : null;
    }

    private static async Task<(HttpStatusCode Code, string Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request, ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    private static string? NameOf(string json) => (string?)JsonNode.Parse(json)?["metadata"]?["name"];

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + " …";

    public void Dispose()
    {
        foreach (var client in _clients)
            client.Dispose();
    }
}
