using System.Text.RegularExpressions;
using Granary.Client;
using Granary.Model;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// Services and their endpoints through the real kubectl, with a pod that really runs (a host process with its own
/// loopback address), so the endpoints come from the agent's readiness report. No traffic is sent to any address.
/// </summary>
public sealed partial class KubectlServiceTests(KubeApiAgentFixture api) : IClassFixture<KubeApiAgentFixture>
{
    private Kubectl Kubectl => api.Kubectl;

    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    private static string Manifest(string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"granary-svc-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    private static string Service(string name, string app, string? clusterIP = null) => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
        spec:
          selector:
            app: {app}
        {(clusterIP is null ? "" : $"  clusterIP: {clusterIP}\n")}  ports:
          - port: 80
            targetPort: http
        """;

    private static string Pod(string name, string app) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          labels:
            app: {app}
        spec:
          nodeName: {KubeApiAgentFixture.NodeName}
          containers:
          - name: main
            image: local/none:1
            command: [sleep, "3600"]
            ports:
            - name: http
              containerPort: 8080
        """;

    /// <summary>The row's cells without the AGE column, which depends on when the command ran.</summary>
    private static string[] Cells(string table, int row) => Spaces().Split(table.Split('\n')[row].Trim());

    [Fact]
    public async Task ApplyGetDescribeAndDelete_ShowTheClusterIPAndTheReadyPodsEndpoints()
    {
        var file = Manifest($"{Pod("web-1", "web")}\n---\n{Service("web", "web")}");
        try
        {
            var apply = Ok(await Kubectl.RunAsync("apply", "-f", file));
            Assert.Equal("pod/web-1 created\nservice/web created\n", apply.Stdout);

            // Barrier: the endpoints list the pod once the agent reports it ready.
            var endpoints = await WaitForEndpointsAsync("web", e => e.Subsets?.FirstOrDefault()?.Addresses is { Count: 1 });
            var podIP = endpoints.Subsets![0].Addresses![0].Ip;
            Assert.StartsWith("127.1.77.", podIP);
            var clusterIP = Ok(await Kubectl.RunAsync("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}")).Stdout;
            Assert.StartsWith("10.43.", clusterIP);

            var svc = Ok(await Kubectl.RunAsync("get", "svc")).Stdout;
            Assert.Equal(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"], Cells(svc, 0));
            Assert.Equal(["kubernetes", "ClusterIP", "10.43.0.1", "<none>", "443/TCP"], Cells(svc, 1)[..5]);
            Assert.Equal(["web", "ClusterIP", clusterIP, "<none>", "80/TCP"], Cells(svc, 2)[..5]);
            var wide = Ok(await Kubectl.RunAsync("get", "svc", "web", "-o", "wide")).Stdout;
            Assert.Equal("app=web", Cells(wide, 1)[^1]);

            var ep = Ok(await Kubectl.RunAsync("get", "ep", "web")).Stdout;
            Assert.Equal(["NAME", "ENDPOINTS", "AGE"], Cells(ep, 0));
            Assert.Equal(["web", $"{podIP}:8080"], Cells(ep, 1)[..2]);

            var describe = Ok(await Kubectl.RunAsync("describe", "svc", "web")).Stdout;
            Assert.Matches($@"(?m)^Endpoints:\s+{Regex.Escape(podIP)}:8080$", describe);
            Assert.Matches($@"(?m)^IP:\s+{Regex.Escape(clusterIP)}$", describe);
            Assert.Matches(@"(?m)^TargetPort:\s+http/TCP$", describe);

            var all = Ok(await Kubectl.RunAsync("get", "all")).Stdout;
            Assert.Contains("pod/web-1", all);
            Assert.Contains("service/kubernetes", all);
            Assert.Contains("service/web", all);

            // Deleting frees the address: another service may take it at once.
            var delete = Ok(await Kubectl.RunAsync("delete", "svc", "web"));
            Assert.Equal("service \"web\" deleted\n", delete.Stdout);
            var gone = await Kubectl.RunAsync("get", "ep", "web");
            Assert.Equal("Error from server (NotFound): endpoints \"web\" not found\n", gone.Stderr);
            var again = Manifest(Service("web-again", "web", clusterIP));
            var clashing = Manifest(Service("web-clash", "web", clusterIP));
            try
            {
                Assert.Equal("service/web-again created\n", Ok(await Kubectl.RunAsync("apply", "-f", again)).Stdout);
                var clash = await Kubectl.RunAsync("create", "-f", clashing);
                Assert.Equal(1, clash.ExitCode);
                Assert.Equal(
                    $"The Service \"web-clash\" is invalid: spec.clusterIPs: Invalid value: []string{{\"{clusterIP}\"}}: failed to allocate IP {clusterIP}: provided IP is already allocated\n",
                    clash.Stderr);
            }
            finally
            {
                File.Delete(again);
                File.Delete(clashing);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ClusterInfo_PrintsTheControlPlaneUrl()
    {
        var r = Ok(await Kubectl.RunAsync("cluster-info"));

        var text = AnsiEscapes().Replace(r.Stdout, "");
        Assert.StartsWith($"Kubernetes control plane is running at {api.Silo.ApiUrl.ToString().TrimEnd('/')}\n", text);
    }

    [Fact]
    public async Task InvalidService_PrintsKubesMessage()
    {
        var file = Manifest("""
            apiVersion: v1
            kind: Service
            metadata:
              name: noports
            spec:
              selector:
                app: x
            """);
        try
        {
            var r = await Kubectl.RunAsync("create", "-f", file);

            Assert.Equal(1, r.ExitCode);
            Assert.Equal("The Service \"noports\" is invalid: spec.ports: Required value\n", r.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<Endpoints> WaitForEndpointsAsync(string name, Func<Endpoints, bool> done)
    {
        await using var client = await GranaryClient.ConnectAsync(new GranaryClientOptions { Gateways = [api.Silo.Gateway], ClusterId = api.ClusterId });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Endpoints? last = null;
        try
        {
            await foreach (var e in client.Endpoints.WatchAsync(new WatchOptions { Namespace = "default", FieldSelector = $"metadata.name={name}" }, cts.Token))
            {
                last = e.Object;
                if (done(last))
                    return last;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"waiting for endpoints default/{name} to list the ready pod: last seen {(last is null ? "none" : Granary.Serialization.GranaryJson.SerializeResource(last))}");
        }
        throw new InvalidOperationException($"the watch of endpoints default/{name} ended");
    }

    [GeneratedRegex(" {2,}")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiEscapes();
}
