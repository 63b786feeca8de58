using Granary.Api;
using Granary.Client;
using Granary.Model;
using Granary.Tests.Integration.Agent;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Workloads;

/// <summary>Node n28 (block 28) with a private dockerd; claims' directories under the fixture's state directory.</summary>
public sealed class StatefulSetCluster() : AgentClusterFixture("n28", block: 28)
{
    protected override IReadOnlyDictionary<string, string> AgentEnvironment =>
        new Dictionary<string, string> { ["GRANARY_LOCALPATHROOT"] = Path.Combine(StateDir, "local-path") };
}

/// <summary>
/// The Kubernetes documentation's StatefulSet tutorial on real processes (silo, agent, dockerd) through the real
/// kubectl: a headless Service and a 3-replica StatefulSet with a local-path claim per pod, created in order; a pod's
/// data kept across its deletion; a scale down that keeps the claim; a rolling update in reverse ordinal order; history,
/// undo and restart. Every wait is a watch (kubectl rollout status, kubectl wait, or the SDK's watch of the pods).
/// </summary>
public sealed class StatefulSetTests(StatefulSetCluster cluster) : IClassFixture<StatefulSetCluster>
{
    private const string Manifest = """
        apiVersion: v1
        kind: Service
        metadata:
          name: nginx
          labels: {app: nginx}
        spec:
          clusterIP: None
          selector: {app: nginx}
          ports:
          - {name: web, port: 80}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: web
        spec:
          serviceName: nginx
          replicas: 3
          selector:
            matchLabels: {app: nginx}
          template:
            metadata:
              labels: {app: nginx}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: nginx
                image: local/busybox:1
                command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]
                volumeMounts:
                - {name: www, mountPath: /usr/share/nginx/html}
          volumeClaimTemplates:
          - metadata:
              name: www
            spec:
              accessModes: [ReadWriteOnce]
              resources:
                requests: {storage: 16Mi}
        """;

    private static readonly string[] Remaining = ["web-0", "web-1"];

    private Kubectl Kubectl => cluster.Kubectl;

    private CliResult Ok(CliResult r, string what) =>
        r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"{what} failed: {r}{cluster.RecentOutput()}");

    private async Task RolloutStatusAsync(Kubectl kubectl, string phase)
    {
        var status = await kubectl.RunAsync("rollout", "status", "sts/web", "--timeout=50s");
        if (status.ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"{phase}: kubectl rollout status sts/web failed: {status}\n"
                + $"{(await Kubectl.RunAsync("describe", "sts", "web")).Stdout}{(await Kubectl.RunAsync("get", "pods", "-o", "wide")).Stdout}{cluster.RecentOutput()}");
    }

    [Fact]
    public async Task StatefulSet_OrderedPodsKeepTheirClaims_ScaleDownKeepsTheClaim_UpdateRollsInReverseOrder()
    {
        var kubectl127 = Kubectl.Versioned("1.27") is { } b127 ? Kubectl.WithBinary(b127) : throw new InvalidOperationException("kubectl 1.27 is not installed");
        var kubectl133 = Kubectl.Versioned("1.33") is { } b133 ? Kubectl.WithBinary(b133) : throw new InvalidOperationException("kubectl 1.33 is not installed");
        await using var pods = await PodEvents.StartAsync(cluster.Client, "app=nginx", cluster.RecentOutput);

        // Phase 1: web-0, web-1, web-2 in order, each created only once the one before it is Ready.
        Ok(await Kubectl.RunWithStdinAsync(Manifest, "apply", "-f", "-"), "kubectl apply");
        await RolloutStatusAsync(Kubectl, "waiting for 3 ready pods");
        var created = pods.Snapshot();
        Assert.True(pods.FirstReady("web-0") < pods.First("web-1"), $"web-1 was created before web-0 was Ready:\n{PodEvents.Describe(created)}");
        Assert.True(pods.FirstReady("web-1") < pods.First("web-2"), $"web-2 was created before web-1 was Ready:\n{PodEvents.Describe(created)}");
        var web0 = await cluster.Client.Pods.GetAsync(PodStates.Ns, "web-0");
        Assert.Equal(("web-0", "nginx", "web-0", "0"), (web0.Spec.Hostname, web0.Spec.Subdomain,
            web0.Metadata.Labels!["statefulset.kubernetes.io/pod-name"], web0.Metadata.Labels["apps.kubernetes.io/pod-index"]));
        Assert.Equal("www-web-0", web0.Spec.Volumes!.Single(v => v.Name == "www").PersistentVolumeClaim!.ClaimName);
        var table = Ok(await kubectl133.RunAsync("get", "sts", "web"), "kubectl 1.33 get sts").Stdout;
        Assert.Matches(@"NAME\s+READY\s+AGE\nweb\s+3/3\s+\d+s", table);

        // Phase 2: web-1 writes into its claim, is deleted, and comes back (a new pod) with the same claim and data.
        Ok(await Kubectl.RunAsync("exec", "web-1", "--", "sh", "-c", "echo kept > /usr/share/nginx/html/index.html"), "writing web-1's file");
        var oldWeb1 = (await cluster.Client.Pods.GetAsync(PodStates.Ns, "web-1")).Metadata.Uid;
        Ok(await Kubectl.RunAsync("delete", "pod", "web-1", "--wait=true", "--timeout=50s"), "kubectl delete pod web-1");
        await pods.WaitAsync(e => e.Object.Metadata.Name == "web-1" && e.Object.Metadata.Uid != oldWeb1 && PodEvents.IsReady(e.Object),
            "waiting for a new web-1 to be Ready");
        Assert.Equal("kept\n", Ok(await Kubectl.RunAsync("exec", "web-1", "--", "cat", "/usr/share/nginx/html/index.html"), "reading web-1's file").Stdout);

        // Phase 3: kubectl 1.27 scales to 2 through the scale subresource; web-2 goes, its claim stays (Retain).
        Ok(await kubectl127.RunAsync("scale", "sts", "web", "--replicas=2"), "kubectl 1.27 scale sts web --replicas=2");
        Ok(await Kubectl.RunAsync("wait", "--for=delete", "pod/web-2", "--timeout=50s"), "waiting for web-2 to go");
        Ok(await Kubectl.RunAsync("get", "pvc", "www-web-2"), "reading web-2's claim after the scale down");
        await RolloutStatusAsync(Kubectl, "after the scale down");

        // Phase 4: a template change rolls web-1, then web-0, each after the one before is back and Ready.
        var beforeUpdate = pods.Count;
        var uids = Remaining.ToDictionary(n => n, n => pods.Latest(n).Metadata.Uid);
        Ok(await Kubectl.RunAsync("set", "env", "sts/web", "VERSION=2"), "kubectl set env sts/web VERSION=2");
        await RolloutStatusAsync(kubectl133, "kubectl 1.33 waiting for the rolling update");
        var rolled = pods.Snapshot();
        var web1Down = pods.FirstDeleting("web-1", uids["web-1"]!, beforeUpdate);
        var web0Down = pods.FirstDeleting("web-0", uids["web-0"]!, beforeUpdate);
        var newWeb1Ready = pods.FirstReady("web-1", after: web1Down);
        Assert.True(web1Down < newWeb1Ready && newWeb1Ready < web0Down,
            $"expected web-1 deleted ({web1Down}), then the new web-1 Ready ({newWeb1Ready}), then web-0 deleted ({web0Down}):\n{PodEvents.Describe(rolled)}");
        var set = await cluster.Client.StatefulSets.GetAsync(PodStates.Ns, "web");
        Assert.Equal((2, 2, 2, set.Status!.UpdateRevision), (set.Status.ReadyReplicas, set.Status.CurrentReplicas, set.Status.UpdatedReplicas, set.Status.CurrentRevision));
        foreach (var name in Remaining)
        {
            var pod = await cluster.Client.Pods.GetAsync(PodStates.Ns, name);
            Assert.Equal(set.Status.UpdateRevision, pod.Metadata.Labels!["controller-revision-hash"]);
            Assert.Contains(pod.Spec.Containers![0].Env!, e => e is { Name: "VERSION", Value: "2" });
        }

        // Phase 5: history shows both revisions; undo brings the first template back; restart rolls again.
        var history = Ok(await Kubectl.RunAsync("rollout", "history", "sts/web"), "kubectl rollout history sts/web").Stdout;
        Assert.Matches(@"REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>", history);
        Ok(await Kubectl.RunAsync("rollout", "undo", "sts/web"), "kubectl rollout undo sts/web");
        await RolloutStatusAsync(Kubectl, "waiting for the undo");
        var undone = await cluster.Client.Pods.GetAsync(PodStates.Ns, "web-0");
        Assert.DoesNotContain(undone.Spec.Containers![0].Env ?? [], e => e.Name == "VERSION");
        Ok(await kubectl127.RunAsync("rollout", "restart", "sts/web"), "kubectl 1.27 rollout restart sts/web");
        await RolloutStatusAsync(kubectl127, "kubectl 1.27 waiting for the restart");
        var restarted = await cluster.Client.Pods.GetAsync(PodStates.Ns, "web-0");
        Assert.True(restarted.Metadata.Annotations?.ContainsKey("kubectl.kubernetes.io/restartedAt"), "web-0 was not made again from the restarted template");

        var refused = await Kubectl.RunAsync("patch", "sts", "web", "-p", """{"spec":{"serviceName":"other"}}""");
        Assert.True(refused.ExitCode != 0 && refused.Stderr.Contains(
            "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy'", StringComparison.Ordinal),
            $"changing serviceName was not refused with kube's words: {refused}");

        var described = Ok(await Kubectl.RunAsync("describe", "sts", "web"), "kubectl describe sts web").Stdout;
        Assert.Contains("Pods Status:", described);
        Assert.Contains("create Pod web-0 in StatefulSet web successful", described);
        Assert.Contains("create Claim www-web-0 Pod web-0 in StatefulSet web success", described);
    }
}

/// <summary>Every event of the pods a label selector matches, from before the test acts, gathered in the background.</summary>
internal sealed class PodEvents : IAsyncDisposable
{
    private readonly List<WatchEvent<Pod>> _events = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<string> _context;
    private readonly Task _pump;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PodEvents(GranaryClient client, WatchOptions options, Func<string> context)
    {
        _context = context;
        _pump = Task.Run(async () =>
        {
            await foreach (var e in client.Pods.WatchAsync(options, _stop.Token))
            {
                lock (_events)
                {
                    _events.Add(e);
                    _changed.TrySetResult();
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        });
    }

    public static async Task<PodEvents> StartAsync(GranaryClient client, string selector, Func<string> context)
    {
        var list = await client.Pods.ListAsync(new ListOptions { Namespace = PodStates.Ns, LabelSelector = selector });
        return new PodEvents(client, new WatchOptions { Namespace = PodStates.Ns, LabelSelector = selector, ResourceVersion = list.ResourceVersion }, context);
    }

    public int Count
    {
        get { lock (_events) return _events.Count; }
    }

    public IReadOnlyList<WatchEvent<Pod>> Snapshot()
    {
        lock (_events) return [.. _events];
    }

    /// <summary>Waits (a barrier on the watch, at most 60 s) for an event that <paramref name="match"/> accepts.</summary>
    public async Task WaitAsync(Func<WatchEvent<Pod>, bool> match, string phase)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            Task changed;
            lock (_events)
            {
                if (_events.Any(match))
                    return;
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{phase}: not seen within 60s; pod events:\n{Describe(Snapshot())}{_context()}");
            }
        }
    }

    public int First(string name) => Index(e => e.Object.Metadata.Name == name);

    public int FirstReady(string name, int after = -1) => Index(e => e.Object.Metadata.Name == name && IsReady(e.Object), after);

    /// <summary>The first event, at or after <paramref name="from"/>, that shows pod <paramref name="uid"/> being deleted or gone.</summary>
    public int FirstDeleting(string name, string uid, int from) =>
        Index(e => e.Object.Metadata.Name == name && e.Object.Metadata.Uid == uid && (e.Type == WatchEventType.Deleted || e.Object.Metadata.DeletionTimestamp is not null), from - 1);

    public Pod Latest(string name) => Snapshot().Last(e => e.Object.Metadata.Name == name).Object;

    public static bool IsReady(Pod pod) =>
        pod.Metadata.DeletionTimestamp is null && pod.Status?.Conditions?.Any(c => c is { Type: "Ready", Status: "True" }) == true;

    public static string Describe(IReadOnlyList<WatchEvent<Pod>> events) => string.Join('\n', events.Select((e, i) =>
        $"{i}: {e.Type} {e.Object.Metadata.Name} uid={e.Object.Metadata.Uid?[..8]} phase={e.Object.Status?.Phase} ready={IsReady(e.Object)} deleting={e.Object.Metadata.DeletionTimestamp is not null}"));

    private int Index(Func<WatchEvent<Pod>, bool> match, int after = -1)
    {
        var events = Snapshot();
        for (var i = after + 1; i < events.Count; i++)
        {
            if (match(events[i]))
                return i;
        }
        throw new Xunit.Sdk.XunitException($"no such pod event after {after}:\n{Describe(events)}");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
            // The watch ends with the test.
        }
        _stop.Dispose();
    }
}
