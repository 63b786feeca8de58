using Granary.Api;
using Granary.Client;
using Granary.Model;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>Events recorded by the scheduler and a real agent (process driver), as kubectl describe and get events show them.</summary>
public sealed class KubectlEventsTests(KubeApiAgentFixture api) : IClassFixture<KubeApiAgentFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    private async Task ApplyAsync(string yaml)
    {
        var r = await api.Cli.RunAsync(["apply", "-f", "-"], stdin: yaml);
        Assert.True(r.ExitCode == 0, $"granary apply failed: {r}");
    }

    // No nodeName: the scheduler places it on the fixture's only node, so the pod gets a Scheduled event.
    private static string Pod(string name, string command, string restartPolicy = "Always") => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
        spec:
          restartPolicy: {restartPolicy}
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: local/none:1
            command: [sh, -c, "{command}"]
        """;

    [Fact]
    public async Task DescribePod_ListsScheduledPulledCreatedStarted_FromTheSchedulerAndTheAgent()
    {
        await ApplyAsync(Pod("ev-run", "sleep 3600"));

        // Barrier: the agent's Started event is written (events go in the background, after the container started).
        await WaitForEventAsync("involvedObject.name=ev-run,reason=Started", "the Started event of pod default/ev-run");
        var describe = Ok(await api.Kubectl.RunAsync("describe", "pod", "ev-run"));

        var events = describe.Stdout[describe.Stdout.IndexOf("Events:", StringComparison.Ordinal)..];
        Assert.Matches(@"^Events:\n  Type\s+Reason\s+Age\s+From\s+Message\n  ----\s+------\s+----\s+----\s+-------\n", events);
        Assert.Matches($@"(?m)^  Normal\s+Scheduled\s+\d+s\s+default-scheduler\s+Successfully assigned default/ev-run to {KubeApiAgentFixture.NodeName}$", events);
        Assert.Matches(@"(?m)^  Normal\s+Pulled\s+\d+s\s+granary-agent\s+Container image ""local/none:1"" already present on machine$", events);
        Assert.Matches(@"(?m)^  Normal\s+Created\s+\d+s\s+granary-agent\s+Created container main$", events);
        Assert.Matches(@"(?m)^  Normal\s+Started\s+\d+s\s+granary-agent\s+Started container main$", events);
        // kubectl's order: oldest first.
        Assert.True(events.IndexOf("Scheduled", StringComparison.Ordinal) < events.IndexOf("Started", StringComparison.Ordinal), events);
    }

    [Fact]
    public async Task CrashingContainer_GivesABackOffWarning_ThatFieldSelectorsFind()
    {
        await ApplyAsync(Pod("ev-crash", "exit 3"));

        var backOff = await WaitForEventAsync("involvedObject.name=ev-crash,reason=BackOff", "the BackOff event of pod default/ev-crash");
        var warnings = Ok(await api.Kubectl.RunAsync("get", "events", "--field-selector", "involvedObject.name=ev-crash,type=Warning"));
        var normal = Ok(await api.Kubectl.RunAsync("get", "events", "--field-selector", "involvedObject.name=ev-crash,type=Normal"));
        var all = Ok(await api.Kubectl.RunAsync("get", "ev", "-A", "-o", "wide"));
        var describe = Ok(await api.Kubectl.RunAsync("describe", "pod", "ev-crash"));

        Assert.Equal(("Warning", "spec.containers{main}"), (backOff.Type, backOff.InvolvedObject.FieldPath));
        Assert.Matches(@"^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n", warnings.Stdout);
        Assert.Matches($@"(?m)^\S+\s+Warning\s+BackOff\s+pod/ev-crash\s+Back-off restarting failed container main in pod ev-crash_default\({backOff.InvolvedObject.Uid}\)$", warnings.Stdout);
        Assert.DoesNotContain("Normal", warnings.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Warning", normal.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)\s+Normal\s+Started\s+pod/ev-crash\s+Started container main$", normal.Stdout);
        Assert.Matches(@"^NAMESPACE\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+SUBOBJECT\s+SOURCE\s+MESSAGE\s+FIRST SEEN\s+COUNT\s+NAME\n", all.Stdout);
        Assert.Matches($@"(?m)^default\s+\S+\s+Warning\s+BackOff\s+pod/ev-crash\s+spec.containers\{{main\}}\s+granary-agent, {KubeApiAgentFixture.NodeName}\s+Back-off restarting", all.Stdout);
        Assert.Matches(@"(?m)^  Warning\s+BackOff\s+\S+\s+granary-agent\s+Back-off restarting failed container main", describe.Stdout);
    }

    [Fact]
    public async Task FailingProbe_GivesUnhealthyWarnings_CountedOnOneEvent()
    {
        await ApplyAsync("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: ev-probe
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: local/none:1
                command: [sh, -c, "sleep 3600"]
                readinessProbe:
                  exec:
                    command: [sh, -c, "exit 1"]
                  periodSeconds: 1
            """);

        var unhealthy = await WaitForEventAsync("involvedObject.name=ev-probe,reason=Unhealthy", "the Unhealthy event of pod default/ev-probe");
        var repeated = await WaitForEventAsync("involvedObject.name=ev-probe,reason=Unhealthy", "a repeated Unhealthy event", e => e.Count > 1);

        Assert.Equal(("Warning", "spec.containers{main}"), (unhealthy.Type, unhealthy.InvolvedObject.FieldPath));
        Assert.StartsWith("Readiness probe failed", unhealthy.Message, StringComparison.Ordinal);
        // Repeats raise the count of the same event instead of making new ones.
        Assert.Equal(unhealthy.Metadata.Name, repeated.Metadata.Name);
    }

    [Fact]
    public async Task DescribeNode_ShowsTheNodesEvents()
    {
        var describe = Ok(await api.Kubectl.RunAsync("describe", "node", KubeApiAgentFixture.NodeName));

        Assert.Matches($@"(?m)^  Normal\s+RegisteredNode\s+\S+\s+node-controller\s+Node {KubeApiAgentFixture.NodeName} event: Registered Node {KubeApiAgentFixture.NodeName} in Controller$", describe.Stdout);
    }

    [Fact]
    public async Task GranaryDescribe_ShowsTheSameEvents()
    {
        await ApplyAsync(Pod("ev-cli", "sleep 3600"));
        await WaitForEventAsync("involvedObject.name=ev-cli,reason=Started", "the Started event of pod default/ev-cli");

        var r = await api.Cli.RunAsync(["describe", "pod", "ev-cli"]);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches($@"(?m)^  Normal\s+Scheduled\s+\d+s\s+default-scheduler\s+Successfully assigned default/ev-cli to {KubeApiAgentFixture.NodeName}$", r.Stdout);
        Assert.Matches(@"(?m)^  Normal\s+Started\s+\d+s\s+granary-agent\s+Started container main$", r.Stdout);
    }

    /// <summary>Waits, on a watch, for the first event in "default" matching the field selector (and <paramref name="condition"/>).</summary>
    private async Task<Event> WaitForEventAsync(string fieldSelector, string phase, Func<Event, bool>? condition = null)
    {
        await using var client = await GranaryClient.ConnectAsync(new GranaryClientOptions { Gateways = [api.Silo.Gateway], ClusterId = api.ClusterId });
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await foreach (var e in client.Events.WatchAsync(new WatchOptions { Namespace = "default", FieldSelector = fieldSelector }, cts.Token))
            {
                if (e.Type != WatchEventType.Deleted && (condition is null || condition(e.Object)))
                    return e.Object;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
        }
        throw new TimeoutException($"waiting for {phase} ({fieldSelector}) for {Timeout.TotalSeconds:0}s");
    }
}

/// <summary>Events expire after --event-ttl: a silo with a short TTL deletes them, as a watch sees.</summary>
public sealed class KubectlEventTtlTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-event-ttl-").FullName;
    private readonly string _clusterId = $"kttl-{Guid.NewGuid():N}"[..12];
    private SiloProcess? _silo;

    public async Task InitializeAsync() =>
        _silo = await SiloProcess.StartAsync(null, _clusterId, "--embedded-agent", "false", "--event-ttl", "3s");

    [Fact]
    public async Task ExpiredEvent_IsDeleted_AndGoneFromKubectl()
    {
        await using var client = await GranaryClient.ConnectAsync(new GranaryClientOptions { Gateways = [_silo!.Gateway], ClusterId = _clusterId });
        var created = await client.Events.CreateAsync(new Event
        {
            Metadata = new() { Name = "short-lived.1826d2c3b1a0f000", Namespace = "default" },
            InvolvedObject = new() { Kind = "Pod", Namespace = "default", Name = "short-lived", Uid = "u1", ApiVersion = "v1" },
            Reason = "Testing",
            Message = "lives three seconds",
            Type = Event.Normal,
            Source = new() { Component = "tests" },
            Count = 1,
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        Event? deleted = null;
        try
        {
            var watch = new WatchOptions { Namespace = "default", FieldSelector = "involvedObject.name=short-lived", ResourceVersion = created.Metadata.ResourceVersion };
            await foreach (var e in client.Events.WatchAsync(watch, cts.Token))
            {
                if (e.Type == WatchEventType.Deleted)
                {
                    deleted = e.Object;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException("waiting for the sweeper to delete event default/short-lived.1826d2c3b1a0f000 (TTL 3s) for 90s");
        }
        var deletedAt = DateTimeOffset.UtcNow;
        var after = await new Kubectl(_silo.Kubeconfig, Path.Combine(_dir, "kube-cache")).RunAsync("get", "events", "--field-selector", "involvedObject.name=short-lived");

        Assert.Equal("short-lived.1826d2c3b1a0f000", deleted!.Metadata.Name);
        // Not before its time: creationTimestamp has whole seconds, so allow the second it was cut to.
        Assert.True(deletedAt >= created.Metadata.CreationTimestamp!.Value + TimeSpan.FromSeconds(2), $"deleted at {deletedAt:O}, created {created.Metadata.CreationTimestamp:O}");
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Equal("No resources found in default namespace.\n", after.Stderr);
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
            await _silo.DisposeAsync();
        ScratchDirectory.Remove(_dir);
    }
}
