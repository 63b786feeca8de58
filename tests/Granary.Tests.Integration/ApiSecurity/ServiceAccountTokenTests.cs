using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.ApiSecurity;

/// <summary>One node (block 75: 127.0.0.85) on a private dockerd; cluster IPs from 127.175.0.0/16, the kubernetes service's 127.175.0.1.</summary>
public sealed class ServiceAccountCluster() : MultiNodeCluster([new ClusterNode("sa-a", 75)], "--service-cidr", "127.175.0.0/16");

/// <summary>
/// ServiceAccount tokens end to end with the real kubectl: <c>kubectl create token</c> and the token authenticating
/// until its ServiceAccount goes; a busybox pod with the real kubectl binary (hostPath) running <c>kubectl get pods</c>
/// with no kubeconfig, through KUBERNETES_SERVICE_HOST/PORT (the agent's service proxy) and the projected token and CA.
/// </summary>
public sealed class ServiceAccountTokenTests(ServiceAccountCluster cluster) : IClassFixture<ServiceAccountCluster>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-satoken-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CliResult Ok(CliResult r, string what) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"{what}: {r}");

    /// <summary>kubectl with the cluster's server and CA but <paramref name="token"/> instead of the admin's.</summary>
    private Kubectl As(string token, string name)
    {
        var path = Path.Combine(_dir, $"kubeconfig-{name}");
        File.WriteAllText(path, KubeconfigView.Read(cluster.Silo.Kubeconfig).WithToken(token));
        return new Kubectl(path, Path.Combine(_dir, $"cache-{name}"));
    }

    private static JsonObject Claims(string token) =>
        JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Trim().Split('.')[1])))!.AsObject();

    [Fact]
    public async Task CreateToken_AuthenticatesAsTheServiceAccount_UntilTheServiceAccountIsDeleted()
    {
        var kubectl = cluster.Kubectl;
        Ok(await kubectl.RunAsync("create", "serviceaccount", "robot"), "creating serviceaccount robot");
        Ok(await kubectl.RunAsync("create", "rolebinding", "robot-view", "--clusterrole=view", "--serviceaccount=default:robot"), "binding view to serviceaccount robot");
        var token = Ok(await kubectl.RunAsync("create", "token", "robot", "--duration", "15m"), "kubectl create token robot").Stdout.Trim();
        var tooShort = await kubectl.RunAsync("create", "token", "robot", "--duration", "5m");
        var defaultToken = Ok(await kubectl.WithVersion("1.27")!.RunAsync("create", "token", "default"), "kubectl 1.27 create token default").Stdout.Trim();

        var robot = As(token, "robot");
        var allowed = await robot.RunAsync("get", "pods", "-o", "name");
        var forged = await As(token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1], "forged").RunAsync("get", "pods");
        Ok(await kubectl.RunAsync("delete", "serviceaccount", "robot"), "deleting serviceaccount robot");
        var afterDelete = await robot.RunAsync("get", "pods");

        var claims = Claims(token);
        Assert.Equal("system:serviceaccount:default:robot", (string?)claims["sub"]);
        Assert.Equal("https://kubernetes.default.svc.cluster.local", (string?)claims["iss"]);
        Assert.Equal(900, (long)claims["exp"]! - (long)claims["iat"]!);
        Assert.Equal("robot", (string?)claims["kubernetes.io"]!["serviceaccount"]!["name"]);
        Assert.Equal(3600, (long)Claims(defaultToken)["exp"]! - (long)Claims(defaultToken)["iat"]!);
        Assert.Contains("spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes", tooShort.Stderr, StringComparison.Ordinal);
        Assert.True(allowed.ExitCode == 0, $"kubectl get pods with robot's token: {allowed}");
        Assert.Contains("You must be logged in to the server", forged.Stderr, StringComparison.Ordinal);
        Assert.Contains("You must be logged in to the server", afterDelete.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InClusterKubectl_UsesTheProjectedTokenCaAndNamespace()
    {
        var kubectl = cluster.Kubectl;
        var binary = Kubectl.Versioned("1.33");
        Assert.True(binary is not null, "kubectl.1.33 (Cloud SDK bundle) is not installed");
        Ok(await kubectl.RunAsync("create", "serviceaccount", "reader"), "creating serviceaccount reader");
        // RBAC: the account may read in its namespace, as an in-cluster reader would be allowed to.
        Ok(await kubectl.RunAsync("create", "rolebinding", "reader-view", "--clusterrole=view", "--serviceaccount=default:reader"), "binding view to serviceaccount reader");
        Ok(await kubectl.RunWithStdinAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: incluster
            spec:
              nodeName: sa-a
              serviceAccountName: reader
              hostNetwork: true
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: local/busybox:1
                command: [sleep, "3600"]
                volumeMounts:
                - {name: kubectl, mountPath: /usr/local/bin/kubectl, readOnly: true}
              volumes:
              - name: kubectl
                hostPath: {path: {{binary}}, type: File}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: nomount
            spec:
              nodeName: sa-a
              automountServiceAccountToken: false
              containers:
              - name: main
                image: local/busybox:1
                command: [sleep, "3600"]
            """, "apply", "-f", "-"), "applying the pods");
        Ok(await kubectl.RunAsync("wait", "--for=condition=Ready", "pod/incluster", "--timeout=60s"), $"waiting for pod incluster\n{cluster.RecentOutput()}");

        var spec = JsonNode.Parse(Ok(await kubectl.RunAsync("get", "pod", "incluster", "-o", "json"), "reading pod incluster").Stdout)!["spec"]!;
        var nomount = JsonNode.Parse(Ok(await kubectl.RunAsync("get", "pod", "nomount", "-o", "json"), "reading pod nomount").Stdout)!["spec"]!;
        var inside = await kubectl.RunAsync("exec", "incluster", "--", "/usr/local/bin/kubectl", "get", "pods", "-o", "name");
        var token = Ok(await kubectl.RunAsync("exec", "incluster", "--", "cat", "/var/run/secrets/kubernetes.io/serviceaccount/token"), "reading the token").Stdout;
        var ns = Ok(await kubectl.RunAsync("exec", "incluster", "--", "cat", "/var/run/secrets/kubernetes.io/serviceaccount/namespace"), "reading the namespace").Stdout;
        var ca = Ok(await kubectl.RunAsync("exec", "incluster", "--", "cat", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"), "reading the CA").Stdout;
        var env = Ok(await kubectl.RunAsync("exec", "incluster", "--", "sh", "-c", "echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT"), "reading the env").Stdout;

        var volume = spec["volumes"]!.AsArray().Single(v => ((string)v!["name"]!).StartsWith("kube-api-access-", StringComparison.Ordinal))!;
        Assert.Equal(3607, (long)volume["projected"]!["sources"]![0]!["serviceAccountToken"]!["expirationSeconds"]!);
        Assert.Contains(spec["containers"]![0]!["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount" && (bool?)m["readOnly"] == true);
        Assert.Null(nomount["volumes"]);
        Assert.True(inside.ExitCode == 0, $"kubectl get pods inside the pod: {inside}\n{cluster.RecentOutput()}");
        Assert.Contains("pod/incluster", inside.Stdout, StringComparison.Ordinal);
        Assert.Equal("127.175.0.1:443\n", env);
        Assert.Equal("default", ns);
        Assert.Equal(KubeconfigView.Read(cluster.Silo.Kubeconfig).CaPem, ca);
        var claims = Claims(token);
        Assert.Equal("system:serviceaccount:default:reader", (string?)claims["sub"]);
        Assert.Equal("incluster", (string?)claims["kubernetes.io"]!["pod"]!["name"]);
        Assert.Equal(3607, (long)claims["exp"]! - (long)claims["iat"]!);
    }
}
