using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// PersistentVolumeClaims through the real kubectl, as on k3s: the default local-path class, WaitForFirstConsumer
/// binding when a pod is scheduled, protection of a claim in use, and the volume's removal with its claim.
/// </summary>
public sealed class KubectlStorageTests(KubeApiFixture api) : IClassFixture<KubeApiFixture>
{
    private const string NodeName = "storage-node";

    private Kubectl Kubectl => api.Kubectl;

    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    private static string Claim(string name) => $"""
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: {name}
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 1Gi

        """;

    private static string PodUsing(string name, string claim) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
        spec:
          containers:
          - name: main
            image: local/busybox:1
            command: [sleep, "3600"]
            volumeMounts:
            - name: data
              mountPath: /data
          volumes:
          - name: data
            persistentVolumeClaim:
              claimName: {claim}

        """;

    private async Task ApplyAsync(string yaml) => Ok(await Kubectl.RunWithStdinAsync(yaml, "apply", "-f", "-"));

    [Fact]
    public async Task GetStorageClasses_ShowsLocalPathAsTheDefault()
    {
        var r = Ok(await Kubectl.RunAsync("get", "sc"));

        Assert.Matches(@"^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\n", r.Stdout);
        Assert.Matches(@"(?m)^local-path \(default\)\s+rancher\.io/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+\d+[smh]$", r.Stdout);
    }

    [Fact]
    public async Task ApplyClaim_IsPendingWithTheDefaultClass_WaitingForItsFirstConsumer()
    {
        await ApplyAsync(Claim("pending-data"));

        var r = Ok(await Kubectl.RunAsync("get", "pvc", "pending-data"));
        var describe = Ok(await Kubectl.RunAsync("describe", "pvc", "pending-data"));

        Assert.Matches(@"^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\n", r.Stdout);
        Assert.Matches(@"(?m)^pending-data\s+Pending\s+local-path\s+<unset>\s+\d+s$", r.Stdout);
        Assert.Contains("waiting for first consumer to be created before binding", describe.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClaimUsedByAPod_IsBoundOnItsNode_ProtectedWhileUsed_AndItsVolumeGoesWithIt()
    {
        await ApplyAsync(KubeApiFixture.Node(NodeName));
        await ApplyAsync(Claim("data") + "---\n" + PodUsing("writer", "data"));

        Ok(await Kubectl.RunAsync("wait", "--for=jsonpath={.status.phase}=Bound", "pvc/data", "--timeout=60s"));
        var uid = Ok(await Kubectl.RunAsync("get", "pvc", "data", "-o", "jsonpath={.metadata.uid}")).Stdout;
        var volume = $"pvc-{uid}";
        var claims = Ok(await Kubectl.RunAsync("get", "pvc", "data")).Stdout;
        Assert.Matches($@"(?m)^data\s+Bound\s+{volume}\s+1Gi\s+RWO\s+local-path\s+<unset>\s+\d+s$", claims);
        Assert.Equal(NodeName, Ok(await Kubectl.RunAsync("get", "pod", "writer", "-o", "jsonpath={.spec.nodeName}")).Stdout);
        var affinity = Ok(await Kubectl.RunAsync("get", "pv", volume,
            "-o", "jsonpath={.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].key}={.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}")).Stdout;
        Assert.Equal($"kubernetes.io/hostname={NodeName}", affinity);
        var volumes = Ok(await Kubectl.RunAsync("get", "pv", volume)).Stdout;
        Assert.Matches($@"(?m)^{volume}\s+1Gi\s+RWO\s+Delete\s+Bound\s+default/data\s+local-path\s+<unset>\s+\d+s$", volumes);

        Ok(await Kubectl.RunAsync("delete", "pvc", "data", "--wait=false"));
        var terminating = Ok(await Kubectl.RunAsync("get", "pvc", "data")).Stdout;
        Assert.Matches(@"(?m)^data\s+Terminating\s+", terminating);

        Ok(await Kubectl.RunAsync("delete", "pod", "writer", "--grace-period=0", "--force"));
        Ok(await Kubectl.RunAsync("wait", "--for=delete", "pvc/data", "--timeout=60s"));
        Ok(await Kubectl.RunAsync("wait", "--for=delete", $"pv/{volume}", "--timeout=60s"));
    }

    [Fact]
    public async Task PodWithAMissingClaim_IsUnschedulableWithKubesMessage()
    {
        // With no node at all kube-scheduler says "no nodes available" before it looks at claims.
        await ApplyAsync(KubeApiFixture.Node(NodeName));
        await ApplyAsync(PodUsing("orphan", "nowhere"));

        Ok(await Kubectl.RunAsync("wait", "--for=condition=PodScheduled=False", "pod/orphan", "--timeout=60s"));
        var message = Ok(await Kubectl.RunAsync("get", "pod", "orphan", "-o", "jsonpath={.status.conditions[?(@.type==\"PodScheduled\")].message}")).Stdout;

        Assert.Matches(@"^0/\d+ nodes are available: persistentvolumeclaim ""nowhere"" not found\.$", message);
    }
}
