using System.Net;
using System.Text;
using System.Text.Json;
using Granary.Hostile;
using Granary.Tests.Integration.ApiSecurity;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Limits;

/// <summary>
/// Per-user in-flight caps over the real HTTPS API with bearer tokens: a client that holds its share of slow requests
/// gets 429 TooManyRequests with Retry-After, while another user and system:masters keep being served, and a watch
/// (long-running) is not counted. The flood ends, and the flooder is served again.
/// </summary>
public sealed class InFlightLimitTests : IAsyncLifetime
{
    private const int PerUser = 4;
    private const string FlooderToken = "flooder-token-0123456789";
    private const string AliceToken = "alice-token-0123456789";
    private const string AdminToken = "admin-token-0123456789";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly string _dir = Directory.CreateTempSubdirectory("granary-inflight-").FullName;
    private SiloProcess? _silo;

    public async Task InitializeAsync()
    {
        var tokens = Path.Combine(_dir, "tokens.csv");
        await File.WriteAllTextAsync(tokens, $"{FlooderToken},flooder,u1,\"{Testers}\"\n{AliceToken},alice,u2,\"{Testers}\"\n{AdminToken},admin,u3,\"system:masters\"\n");
        _silo = await SiloProcess.StartInAsync(_dir, "kubeconfig", null, $"inflight-{Guid.NewGuid():N}"[..14],
            [.. SiloProcess.AgentlessNodes, "--embedded-agent", "false", "--api-tls", "true", "--token-auth-file", tokens,
                "--max-requests-inflight-per-user", $"{PerUser}"]);
        await GrantEditAsync(_silo);
    }

    private const string Testers = "testers";

    /// <summary>The flooder and alice may edit (RBAC): a refused request would never hold a slot.</summary>
    private static async Task GrantEditAsync(SiloProcess silo)
    {
        var kubeconfig = KubeconfigView.Read(silo.Kubeconfig);
        using var admin = kubeconfig.Client(silo.ApiUrl, AdminToken);
        using var alice = kubeconfig.Client(silo.ApiUrl, AliceToken);
        const string binding = $$"""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"testers-edit"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},
             "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"Group","name":"{{Testers}}"}]}
            """;
        using var body = new StringContent(binding, Encoding.UTF8, "application/json");
        using (var created = await admin.PostAsync("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", body))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        // The binding is in force once this silo's watch cache has it (and edit's aggregated rules).
        var status = HttpStatusCode.Forbidden;
        await Waiting.UntilAsync(async () =>
        {
            using var answer = await alice.GetAsync("/api/v1/namespaces/default/configmaps");
            status = answer.StatusCode;
            return status == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), "the edit binding taking effect", () => $"alice still gets {(int)status}");
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
            await _silo.DisposeAsync();
        ScratchDirectory.Remove(_dir);
    }

    [Fact]
    public async Task Flooder_GetsTooManyRequests_WhileOtherUsersAreServed()
    {
        var silo = _silo!;
        var kubeconfig = KubeconfigView.Read(silo.Kubeconfig);
        var target = new HostileTarget(silo.ApiUrl, kubeconfig.Ca, FlooderToken);
        using var flooder = kubeconfig.Client(silo.ApiUrl, FlooderToken);
        using var alice = kubeconfig.Client(silo.ApiUrl, AliceToken);
        using var admin = kubeconfig.Client(silo.ApiUrl, AdminToken);
        using var stop = new CancellationTokenSource();

        // The flood: requests whose bodies arrive a few bytes at a time, each holding one of the flooder's slots.
        // Two more than the cap: a hold that arrives while another of the flooder's requests is in flight is itself
        // refused (429), and the cap must still end up full of holds.
        var held = new List<Task<string?>>();
        var sent = new List<TaskCompletionSource>();
        for (var i = 0; i < PerUser + 2; i++)
        {
            var headSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            sent.Add(headSent);
            held.Add(HoldAsync(target, headSent, stop.Token));
        }
        await Task.WhenAll(sent.Select(s => s.Task));
        try
        {
            var refused = await PollAsync(flooder, HttpStatusCode.TooManyRequests, "the flooder's own request once its slots are held", held);
            Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
            using (var status = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()))
            {
                var root = status.RootElement;
                Assert.Equal(("Status", 429, "TooManyRequests"), (root.GetProperty("kind").GetString(), root.GetProperty("code").GetInt32(), root.GetProperty("reason").GetString()));
                Assert.Contains("Too many requests, please try again later.", root.GetProperty("message").GetString(), StringComparison.Ordinal);
                Assert.Contains($"user \"flooder\" already has {PerUser} requests in flight", root.GetProperty("message").GetString(), StringComparison.Ordinal);
                Assert.Equal(1, root.GetProperty("details").GetProperty("retryAfterSeconds").GetInt32());
            }
            refused.Dispose();

            using var aliceAnswer = await alice.GetAsync("/api/v1/namespaces/default/configmaps");
            Assert.Equal(HttpStatusCode.OK, aliceAnswer.StatusCode);
            using var adminAnswer = await admin.GetAsync("/api/v1/namespaces");
            Assert.Equal(HttpStatusCode.OK, adminAnswer.StatusCode);
            // A watch is long-running: not counted, so the flooder may still open one.
            using var watch = await flooder.GetAsync("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, watch.StatusCode);
        }
        finally
        {
            await stop.CancelAsync();
        }
        var holds = await Task.WhenAll(held);
        Assert.All(holds, h => Assert.True(h is null || h.Contains("429 Too Many Requests", StringComparison.Ordinal), h));
        Assert.True(holds.Count(h => h is null) >= PerUser, string.Join("; ", holds));

        (await PollAsync(flooder, HttpStatusCode.OK, "the flooder's request once its slow requests ended", [])).Dispose();
        Assert.False(silo.Process.HasExited);
    }

    /// <summary>
    /// A POST whose body (under the 3 MiB limit) trickles in, fast enough for Kestrel's minimum data rate, until the test
    /// stops it; then the connection closes with the request unfinished.
    /// </summary>
    private static async Task<string?> HoldAsync(HostileTarget target, TaskCompletionSource headSent, CancellationToken stop)
    {
        var request = new HostileRequest("flood", "held", "POST", "/api/v1/namespaces/default/configmaps?dryRun=All", "application/json", null, [("Content-Length", "3000000")]);
        await using var stream = await target.ConnectAsync(CancellationToken.None);
        await stream.WriteAsync(target.Head(request), CancellationToken.None);
        await stream.FlushAsync(CancellationToken.None);
        headSent.SetResult();
        var spaces = Encoding.ASCII.GetBytes(new string(' ', 256));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await stream.WriteAsync(spaces, CancellationToken.None);
                await stream.FlushAsync(CancellationToken.None);
                await Task.Delay(TimeSpan.FromMilliseconds(200), stop);
            }
            return null;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The flood is over: the connection closes with its request unfinished.
            return null;
        }
        catch (IOException e)
        {
            // The server dropped the held request: what it answered, if anything, says why.
            var answer = new byte[4096];
            var read = 0;
            try
            {
                read = await stream.ReadAsync(answer, CancellationToken.None);
            }
            catch (IOException)
            {
                // Reset without an answer.
            }
            return $"held request dropped after {clock.Elapsed.TotalSeconds:0.0} s ({e.Message}): {Encoding.UTF8.GetString(answer, 0, read)}";
        }
    }

    /// <summary>GETs the default namespace's configmaps until the answer is <paramref name="expected"/>; the caller disposes it.</summary>
    private static async Task<HttpResponseMessage> PollAsync(HttpClient client, HttpStatusCode expected, string phase, List<Task<string?>> held)
    {
        var deadline = DateTime.UtcNow + Deadline;
        HttpStatusCode last = 0;
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync("/api/v1/namespaces/default/configmaps");
            if (response.StatusCode == expected)
                return response;
            last = response.StatusCode;
            response.Dispose();
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
        var dropped = held.Where(h => h.IsCompleted).Select(h => h.Result);
        throw new TimeoutException($"{phase}: expected {(int)expected} within {Deadline.TotalSeconds} s, last answer {(int)last}; {string.Join("; ", dropped)}");
    }
}
