using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Granary.Tests.Integration.Durability;

/// <summary>
/// Creators that POST pods through the HTTPS API without pause until stopped, each through one of the given
/// clients (one per silo), remembering every name the API acknowledged (201) and every failure as it looked to
/// the client: a status code with or without Retry-After, or a connection error.
/// </summary>
internal sealed class CreateLoad
{
    private readonly ConcurrentBag<string> _acknowledged = [];
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentQueue<string> _notRetriable = new();
    private long _lastSuccessTicks;

    public IReadOnlyCollection<string> Acknowledged => _acknowledged;

    /// <summary>Every failure, "503 Retry-After: 1" or "connection: ...".</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>Failures a client could not retry: a status other than 503/504, or one without Retry-After.</summary>
    public IReadOnlyCollection<string> NotRetriable => _notRetriable;

    public DateTime LastSuccess => new(Interlocked.Read(ref _lastSuccessTicks), DateTimeKind.Utc);

    public Task RunAsync(IReadOnlyList<HttpClient> clients, string @namespace, int creatorsPerClient, CancellationToken stop) =>
        Task.WhenAll(clients.SelectMany((client, c) => Enumerable.Range(0, creatorsPerClient)
            .Select(w => Task.Run(() => CreatorAsync(client, @namespace, $"c{c}w{w}", stop)))));

    private async Task CreatorAsync(HttpClient client, string @namespace, string worker, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var name = $"load-{worker}-{i}";
            var body = $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}"},"spec":{"schedulerName":"none","containers":[{"name":"c","image":"busybox"}]}}""";
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await client.PostAsync($"/api/v1/namespaces/{@namespace}/pods", content, CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    _acknowledged.Add(name);
                    Interlocked.Exchange(ref _lastSuccessTicks, DateTime.UtcNow.Ticks);
                    continue;
                }
                var retryAfter = response.Headers.RetryAfter?.Delta?.TotalSeconds;
                var text = $"{(int)response.StatusCode} Retry-After: {retryAfter?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} {await response.Content.ReadAsStringAsync(CancellationToken.None)}";
                _failures.Enqueue($"{name}: {text}");
                // A 409 AlreadyExists means an earlier attempt that looked failed was stored after all: not a loss.
                if (response.StatusCode is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout) || retryAfter is null)
                    _notRetriable.Enqueue($"{name}: {text}");
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
            }
            catch (HttpRequestException e)
            {
                // The silo's API went away (a killed silo): the client retries elsewhere.
                _failures.Enqueue($"{name}: connection: {e.Message}");
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
            }
            catch (TaskCanceledException e) when (!stop.IsCancellationRequested)
            {
                _failures.Enqueue($"{name}: client timeout: {e.Message}");
            }
        }
    }
}
