using System.Net;
using Granary.Tests.Integration.Infrastructure;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// The official KubernetesClient library as an outside client: built from the kubeconfig the silo writes, exactly
/// as a user's program would, with no handlers or settings of the tests' own.
/// </summary>
internal static class KubernetesClientSupport
{
    public static Kubernetes Connect(SiloProcess silo) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(silo.Kubeconfig));

    /// <summary>A namespace of the test's own, so lists and watches see only what the test made.</summary>
    public static async Task<string> CreateNamespaceAsync(Kubernetes client, string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    /// <summary>A node no agent serves: pods bound to it stay Pending and are deleted at once.</summary>
    public const string IdleNode = "kc-idle";

    /// <summary>
    /// A pod bound to <see cref="IdleNode"/>, so neither the scheduler nor an agent writes to it while a test runs:
    /// every change a test sees (a resourceVersion, a watch event) is the test's own.
    /// </summary>
    public static V1Pod Pod(string name, string app, string image = "local/busybox:1") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec
        {
            NodeName = IdleNode,
            Containers = [new V1Container { Name = "main", Image = image, Command = ["sleep", "3600"] }],
        },
    };

    /// <summary>
    /// Runs a call expected to fail with <paramref name="code"/>, and returns the Status the server sent, read with the
    /// library's own serializer.
    /// </summary>
    public static async Task<V1Status> FailsWithAsync(HttpStatusCode code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.True(e.Response.StatusCode == code, $"expected HTTP {(int)code}, got {(int)e.Response.StatusCode}: {e.Response.Content}");
        return KubernetesJson.Deserialize<V1Status>(e.Response.Content);
    }
}
