using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

/// <summary>Pods to start a test from, and small edits to them.</summary>
internal static class TestPods
{
    public static Pod Minimal() => new()
    {
        Metadata = new() { Name = "web", Namespace = "default" },
        Spec = new() { Containers = [new() { Name = "app", Image = "nginx:1.27" }] },
    };

    /// <summary>A pod that sets every field validation looks at, all of them validly.</summary>
    public static Pod Full() => new()
    {
        Metadata = new()
        {
            Name = "web-1.frontend",
            Namespace = "team-a",
            Labels = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string>
            {
                ["app"] = "web",
                ["example.com/tier"] = "front_end.1",
                ["empty"] = "",
            }),
            Annotations = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string>
            {
                ["Example.COM/Note"] = "any text at all: spaces, UPPER, ünïcode",
            }),
            Finalizers = ["example.com/cleanup"],
        },
        Spec = new()
        {
            RestartPolicy = "OnFailure",
            NodeSelector = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" }),
            NodeName = "node-1.example.com",
            TerminationGracePeriodSeconds = 0,
            ActiveDeadlineSeconds = 60,
            Hostname = "web-1",
            SchedulerName = "my.scheduler",
            Tolerations =
            [
                new() { Operator = "Exists" },
                new() { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" },
                new() { Key = "node.kubernetes.io/unreachable", Operator = "Exists", Effect = "NoExecute", TolerationSeconds = 300 },
            ],
            Containers =
            [
                new()
                {
                    Name = "app",
                    Image = "registry.example.com:5000/team/web@sha256:0123456789abcdef",
                    Command = ["/bin/web"],
                    Env = [new() { Name = "MODE", Value = "prod" }, new() { Name = "POD_IP", ValueFrom = new() { FieldRef = new() { FieldPath = "status.podIP" } } }],
                    Ports = [new() { Name = "http", Number = 8080 }, new() { Name = "metrics", Number = 9090, Protocol = "UDP", HostPort = 9090 }],
                    Resources = new()
                    {
                        Requests = Quantities(("cpu", "500m"), ("memory", "128Mi"), ("example.com/gpu", "1")),
                        Limits = Quantities(("cpu", "1"), ("memory", "128Mi"), ("example.com/gpu", "1"), ("hugepages-2Mi", "4Mi")),
                    },
                    LivenessProbe = new() { HttpGet = new() { Port = "http" }, SuccessThreshold = 1 },
                    ReadinessProbe = new() { TcpSocket = new() { Port = 8080 }, SuccessThreshold = 3, PeriodSeconds = 5, InitialDelaySeconds = 0 },
                    StartupProbe = new() { Exec = new() { Command = ["cat", "/ready"] }, FailureThreshold = 30 },
                },
                new() { Name = "sidecar", Image = "busybox" },
            ],
        },
    };

    public static ImmutableSortedDictionary<string, Quantity> Quantities(params (string Name, string Text)[] items) =>
        items.ToImmutableSortedDictionary(i => i.Name, i => new Quantity(i.Text));

    public static ImmutableSortedDictionary<string, string> Labels(params (string Key, string Value)[] items) =>
        items.ToImmutableSortedDictionary(i => i.Key, i => i.Value);

    public static Pod WithSpec(this Pod pod, Func<PodSpec, PodSpec> change) => pod with { Spec = change(pod.Spec) };

    /// <summary>Edits the first container.</summary>
    public static Pod WithContainer(this Pod pod, Func<Container, Container> change) =>
        pod.WithSpec(s => s with { Containers = s.Containers!.SetItem(0, change(s.Containers![0])) });
}
