using System.Net;
using System.Text;
using Granary.Tests.Integration.ApiSecurity;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Observability;

/// <summary>One node (block 96: 127.0.0.106) on a private dockerd; cluster IPs from 127.153.0.0/16.</summary>
public sealed class MetricsCluster() : MultiNodeCluster([new ClusterNode("metrics-a", 96)], "--service-cidr", "127.153.0.0/16");

/// <summary>
/// /metrics as an operator's Prometheus reads it: a Redis-backed silo and a real agent on a private dockerd, scraped
/// over HTTPS. After a create, a list and a watch the kube-named series are there with kube's labels and their counts
/// move; the agent's kubelet series come through the API server's node proxy once a pod has started; a scrape with a
/// wrong token is 401, and one without credentials or without the system:monitoring role 403, as kube-apiserver answers; the Orleans Dashboard
/// answers on its own port when turned on and is nowhere when off.
/// </summary>
public sealed class MetricsTests(MetricsCluster cluster) : IClassFixture<MetricsCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const string Namespace = "default";

    private HttpClient Admin()
    {
        var kubeconfig = KubeconfigView.Read(cluster.Silo.Kubeconfig);
        return kubeconfig.Client(cluster.Silo.ApiUrl, kubeconfig.Token);
    }

    private static async Task<PrometheusText> ScrapeAsync(HttpClient http, string path = "/metrics")
    {
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return PrometheusText.Parse(text);
    }

    private static StringContent PodJson(string name, string? nodeName)
    {
        var node = nodeName is null ? "" : $"\"nodeName\":\"{nodeName}\",";
        var json = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + node
            + "\"terminationGracePeriodSeconds\":1,\"containers\":[{\"name\":\"main\",\"image\":\"local/busybox:1\",\"command\":[\"sleep\",\"3600\"]}]}}";
        return new StringContent(json, Encoding.UTF8, "application/json");
    }

    [Fact]
    public async Task SiloMetrics_AfterCreateListAndWatch_HaveKubeNamesAndLabels_AndTheirCountsMove()
    {
        using var http = Admin();
        string[] created = ["verb=POST", "resource=pods", "subresource=", "scope=namespace", "code=201"];
        string[] watching = ["verb=WATCH", "resource=pods", "subresource=", "scope=namespace"];
        var before = await ScrapeAsync(http);

        using var body = PodJson("scheduled-one", nodeName: null);
        using (var create = await http.PostAsync($"/api/v1/namespaces/{Namespace}/pods", body))
            Assert.True(create.StatusCode == HttpStatusCode.Created, $"creating pod scheduled-one: {await create.Content.ReadAsStringAsync()}");
        using (var list = await http.GetAsync($"/api/v1/namespaces/{Namespace}/pods"))
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var watchRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{Namespace}/pods?watch=true");
        var watch = await http.SendAsync(watchRequest, HttpCompletionOption.ResponseHeadersRead);
        PrometheusText during;
        try
        {
            Assert.Equal(HttpStatusCode.OK, watch.StatusCode);
            during = await ScrapeAsync(http);
            await Waiting.UntilAsync(async () => (during = await ScrapeAsync(http)).Sum("scheduler_schedule_attempts_total", "result=scheduled") >= 1,
                Deadline, "scheduling pod scheduled-one", () => during.Lines("scheduler_"));
            Assert.True(during.Sum("apiserver_longrunning_requests", watching) == 1, $"one watch of pods is open:\n{during.Lines("apiserver_longrunning_requests")}");
        }
        finally
        {
            watch.Dispose();
        }

        // Counts move: exactly this test's create, at least its list.
        Assert.Equal(before.Sum("apiserver_request_total", created) + 1, during.Sum("apiserver_request_total", created));
        Assert.True(during.Sum("apiserver_request_total", "verb=LIST", "resource=pods", "scope=namespace", "code=200")
            >= before.Sum("apiserver_request_total", "verb=LIST", "resource=pods", "scope=namespace", "code=200") + 1, during.Lines("apiserver_request_total"));
        // The duration histogram, with kube's labels (no code) and buckets.
        Assert.True(during.Sum("apiserver_request_duration_seconds_count", created[..^1]) >= 1, during.Lines("apiserver_request_duration_seconds_count"));
        Assert.True(during.Has("apiserver_request_duration_seconds_bucket", [.. created[..^1], "le=0.005"]), during.Lines("apiserver_request_duration_seconds_bucket"));
        Assert.True(during.Has("apiserver_request_duration_seconds_bucket", [.. created[..^1], "le=+Inf"]), during.Lines("apiserver_request_duration_seconds_bucket"));
        Assert.True(during.Has("apiserver_current_inflight_requests", "request_kind=readOnly"), during.Lines("inflight"));
        Assert.True(during.Has("apiserver_current_inflight_requests", "request_kind=mutating"), during.Lines("inflight"));
        // What the cluster holds, kube-apiserver's and kube-state-metrics' names.
        Assert.True(during.Sum("apiserver_storage_objects", "resource=pods") >= 1, during.Lines("apiserver_storage_objects"));
        Assert.True(during.Sum("apiserver_storage_objects", "resource=nodes") == 1, during.Lines("apiserver_storage_objects"));
        Assert.True(during.Sum("kube_pod_status_phase") >= 1, during.Lines("kube_pod_status_phase"));
        Assert.True(during.Has("kube_pod_status_phase", "phase=Running"), during.Lines("kube_pod_status_phase"));
        Assert.True(during.Sum("kube_node_status_condition", "condition=Ready", "status=True") == 1, during.Lines("kube_node_status_condition"));
        // The scheduler's.
        Assert.True(during.Sum("scheduler_pod_scheduling_duration_seconds_count") >= 1, during.Lines("scheduler_"));
        Assert.True(during.Has("scheduler_schedule_attempts_total", "profile=default-scheduler", "result=scheduled"), during.Lines("scheduler_"));
        // The silo's memory and caps (what the soak reads), Orleans', .NET's and the process's.
        Assert.True(during.Sum("process_resident_memory_bytes") > 0, during.Lines("process_"));
        Assert.True(during.Sum("granary_watch_cache_objects", "resource=pods") >= 1, during.Lines("granary_watch_cache_objects"));
        Assert.True(during.Sum("granary_grain_activations") >= 1, during.Lines("granary_grain_activations"));
        Assert.True(during.Has("granary_grain_activations_by_class", "class=SchedulerGrain"), during.Lines("granary_grain_activations_by_class"));
        Assert.Contains(during.Samples, s => s.Name.StartsWith("orleans_", StringComparison.Ordinal));
        Assert.Contains(during.Samples, s => s.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal) && s.Labels.ContainsKey("gc_heap_generation"));
        Assert.Contains(during.Samples, s => s.Name.StartsWith("process_cpu_", StringComparison.Ordinal));
        // No series is labelled with a name or a namespace.
        Assert.DoesNotContain(during.Samples, s => s.Labels.Values.Contains("scheduled-one") || s.Labels.ContainsKey("namespace") || s.Labels.ContainsKey("pod"));

        // The watch closed: no long-running request is counted any more.
        var after = during;
        await Waiting.UntilAsync(async () => (after = await ScrapeAsync(http)).Sum("apiserver_longrunning_requests", watching) == 0,
            Deadline, "closing the watch of pods", () => after.Lines("apiserver_longrunning_requests"));
    }

    [Fact]
    public async Task AgentMetrics_ThroughTheNodeProxy_ReportPodStartRunningPodsAndRuntimeOperations()
    {
        using var http = Admin();
        using var body = PodJson("started-one", nodeName: "metrics-a");
        using (var create = await http.PostAsync($"/api/v1/namespaces/{Namespace}/pods", body))
            Assert.True(create.StatusCode == HttpStatusCode.Created, $"creating pod started-one: {await create.Content.ReadAsStringAsync()}");
        var ready = await cluster.Kubectl.RunAsync("wait", "--for=condition=Ready", "pod/started-one", "--timeout=60s");
        Assert.True(ready.ExitCode == 0, $"waiting for pod started-one: {ready}\n{cluster.RecentOutput()}");

        var agent = await ScrapeAsync(http, "/api/v1/nodes/metrics-a/proxy/metrics");
        await Waiting.UntilAsync(async () => (agent = await ScrapeAsync(http, "/api/v1/nodes/metrics-a/proxy/metrics")).Sum("kubelet_running_pods") >= 1,
            Deadline, "the agent counting pod started-one as running", () => agent.Lines("kubelet_"));
        Assert.True(agent.Sum("kubelet_pod_start_duration_seconds_count") >= 1, agent.Lines("kubelet_pod_start"));
        Assert.True(agent.Has("kubelet_pod_start_duration_seconds_bucket", "le=+Inf"), agent.Lines("kubelet_pod_start"));
        Assert.True(agent.Sum("kubelet_running_containers", "container_state=running") >= 1, agent.Lines("kubelet_running_containers"));
        Assert.True(agent.Sum("kubelet_runtime_operations_duration_seconds_count", "operation_type=create_container") >= 1, agent.Lines("kubelet_runtime_operations"));
        Assert.True(agent.Sum("kubelet_runtime_operations_duration_seconds_count", "operation_type=start_container") >= 1, agent.Lines("kubelet_runtime_operations"));
        Assert.True(agent.Sum("kubelet_runtime_operations_duration_seconds_count", "operation_type=list_containers") >= 1, agent.Lines("kubelet_runtime_operations"));
        Assert.Contains(agent.Samples, s => s.Name.StartsWith("process_cpu_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scrape_Anonymous_Is403_WithAWrongToken_Is401_WithoutTheMonitoringRole_Is403_WithIt_Is200()
    {
        // As kube-apiserver with anonymous authentication: no credentials is system:anonymous, whom RBAC refuses.
        var kubeconfig = KubeconfigView.Read(cluster.Silo.Kubeconfig);
        using var anonymous = kubeconfig.Client(cluster.Silo.ApiUrl, token: null);
        using var unauthenticated = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Forbidden, unauthenticated.StatusCode);
        Assert.Contains("User \\\"system:anonymous\\\" cannot get path \\\"/metrics\\\"", await unauthenticated.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var wrong = kubeconfig.Client(cluster.Silo.ApiUrl, token: "not-a-token");
        using var unauthorized = await wrong.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);

        using var http = Admin();
        using var nobody = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        nobody.Headers.Add("Impersonate-User", "nobody");
        using var forbidden = await http.SendAsync(nobody);
        var refusal = await forbidden.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("cannot get path \\\"/metrics\\\"", refusal, StringComparison.Ordinal);

        using var monitoring = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        monitoring.Headers.Add("Impersonate-User", "prometheus");
        monitoring.Headers.Add("Impersonate-Group", "system:monitoring");
        using var allowed = await http.SendAsync(monitoring);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("apiserver_request_total", await allowed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_AnswersOnItsOwnPortWhenOn_AndIsAbsentWhenOff()
    {
        // Off (the cluster's silo): the API does not serve it.
        using (var http = Admin())
        using (var off = await http.GetAsync("/dashboard/"))
            Assert.Equal(HttpStatusCode.NotFound, off.StatusCode);

        var port = FreePort.Next();
        await using var silo = await SiloProcess.StartAsync(null, $"dash-{Guid.NewGuid():N}"[..13], "--embedded-agent", "false", "--dashboard-port", $"{port}");
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        using var page = await plain.GetAsync("/dashboard/");
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"GET /dashboard/ on port {port}: {(int)page.StatusCode} {html}");
        Assert.Contains("Orleans Dashboard", html, StringComparison.Ordinal);
        // The Kubernetes API is not reachable through the dashboard's port (which has no authentication).
        using var api = await plain.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        using var metrics = await plain.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
    }
}
