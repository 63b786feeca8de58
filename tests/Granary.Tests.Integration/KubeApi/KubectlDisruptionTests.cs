using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// PodDisruptionBudgets through the real kubectl (the typed generator <c>create pdb</c>, which 1.32+ sends as protobuf;
/// the table; describe) and the eviction subresource over raw HTTPS requests: discovery advertises it as kubectl drain looks for
/// it, and a refusal is kube's 429 Status. Pods are made Running and Ready by a status patch (no agent here).
/// </summary>
public sealed class KubectlDisruptionTests(KubeApiFixture api) : IClassFixture<KubeApiFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    public static TheoryData<string> KubectlVersions => ["1.27", "1.33"];

    [Theory]
    [MemberData(nameof(KubectlVersions))]
    public async Task CreatePdb_IsListedAndDescribed(string minor)
    {
        if (api.Kubectl.WithVersion(minor) is not { } kubectl)
            return;
        var ns = $"pdb{minor.Replace(".", "")}";
        Ok(await kubectl.RunAsync("create", "namespace", ns));

        Assert.Equal("poddisruptionbudget.policy/web created\n",
            Ok(await kubectl.RunAsync("create", "pdb", "web", "--selector=app=web", "--min-available=2", "-n", ns)).Stdout);
        Ok(await kubectl.RunAsync("create", "pdb", "api", "--selector=app=api", "--max-unavailable=25%", "-n", ns));

        var table = Ok(await kubectl.RunAsync("get", "pdb", "-n", ns)).Stdout.Split('\n');
        Assert.Matches(@"^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$", table[0]);
        Assert.Matches(@"^api\s+N/A\s+25%\s+0\s+\d+s$", table[1]);
        Assert.Matches(@"^web\s+2\s+N/A\s+0\s+\d+s$", table[2]);

        var described = Ok(await kubectl.RunAsync("describe", "pdb", "web", "-n", ns)).Stdout;
        Assert.Matches(@"Min available:\s+2\n", described);
        Assert.Matches(@"Selector:\s+app=web\n", described);
        Assert.Matches(@"Allowed disruptions:\s+0\n", described);

        var json = JsonNode.Parse(Ok(await kubectl.RunAsync("get", "pdb", "web", "-n", ns, "-o", "json")).Stdout)!;
        Assert.Equal(("policy/v1", 2, "app"), ((string?)json["apiVersion"], (int)json["spec"]!["minAvailable"]!, json["spec"]!["selector"]!["matchLabels"]!.AsObject().Single().Key));
        var invalid = await kubectl.RunAsync("create", "pdb", "bad", "--selector=app=x", "--min-available=150%", "-n", ns);
        Assert.Contains("spec.minAvailable: Invalid value: \"150%\": must not be greater than 100%", invalid.Stderr);
    }

    [Fact]
    public async Task Discovery_AdvertisesPodsEvictionAsPolicyV1Eviction()
    {
        var resources = JsonNode.Parse(await api.Http.GetStringAsync("/api/v1"))!["resources"]!.AsArray();

        var eviction = resources.Single(r => (string?)r!["name"] == "pods/eviction")!;
        Assert.Equal(("policy", "v1", "Eviction", "create"), ((string?)eviction["group"], (string?)eviction["version"], (string?)eviction["kind"], (string?)eviction["verbs"]![0]));
        var policy = JsonNode.Parse(await api.Http.GetStringAsync("/apis/policy/v1"))!["resources"]!.AsArray();
        Assert.Contains(policy, r => (string?)r!["name"] == "poddisruptionbudgets" && (string?)r["shortNames"]![0] == "pdb");
    }

    [Fact]
    public async Task Eviction_BeyondTheBudget_IsKubes429_AndWithinItDeletes()
    {
        const string ns = "evict";
        var kubectl = api.Kubectl;
        await api.ApplyAsync($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n---\n"
            + KubeApiFixture.Pod("a", "db").Replace("name: a\n", $"name: a\n  namespace: {ns}\n")
            + KubeApiFixture.Pod("b", "db").Replace("name: b\n", $"name: b\n  namespace: {ns}\n"));
        foreach (var pod in new[] { "a", "b" })
        {
            Ok(await kubectl.RunAsync("patch", "pod", pod, "-n", ns, "--subresource=status", "--type=merge",
                "-p", """{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}"""));
        }
        Ok(await kubectl.RunAsync("create", "pdb", "db", "--selector=app=db", "--min-available=1", "-n", ns));
        // kubectl wait lists and watches, so a status written at any moment after the create is seen.
        foreach (var condition in new[] { "{.status.currentHealthy}=2", "{.status.disruptionsAllowed}=1" })
            Ok(await kubectl.RunAsync("wait", $"--for=jsonpath={condition}", "pdb/db", "-n", ns, $"--timeout={Timeout.TotalSeconds:0}s"));

        var first = await EvictAsync(ns, "a");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal("Success", (string?)JsonNode.Parse(await first.Content.ReadAsStringAsync())!["status"]);

        var refused = await EvictAsync(ns, "b");
        var status = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal((HttpStatusCode.TooManyRequests, "Failure", "TooManyRequests", 429), (refused.StatusCode, (string?)status["status"], (string?)status["reason"], (int)status["code"]!));
        Assert.Equal("Cannot evict pod as it would violate the pod's disruption budget.", (string?)status["message"]);
        var cause = status["details"]!["causes"]!.AsArray().Single()!;
        Assert.Equal("DisruptionBudget", (string?)cause["reason"]);
        Assert.StartsWith("The disruption budget db needs 1 healthy pods and has ", (string?)cause["message"]);
        Assert.False(refused.Headers.Contains("Retry-After"), "kube sends no Retry-After when the budget is exhausted; kubectl drain retries on its own");

        var wrongName = await EvictAsync(ns, "b", bodyName: "a");
        Assert.Equal(HttpStatusCode.BadRequest, wrongName.StatusCode);
        Assert.Contains("name in URL does not match name in Eviction object", await wrongName.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await EvictAsync(ns, "gone")).StatusCode);
    }

    private async Task<HttpResponseMessage> EvictAsync(string ns, string pod, string? bodyName = null)
    {
        var body = $$"""{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"{{bodyName ?? pod}}","namespace":"{{ns}}"},"deleteOptions":{"gracePeriodSeconds":0} }""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await api.Http.PostAsync($"/api/v1/namespaces/{ns}/pods/{pod}/eviction", content);
    }

}
