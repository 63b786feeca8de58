using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class PodValidationTests
{
    private const string C0 = "spec.containers[0]";

    private static Case<Func<Pod, Pod>> Row(string name, Func<Pod, Pod> change, params string[] expected) => new(name, change, expected);

    private static Func<Pod, Pod> Container(Func<Container, Container> change) => p => p.WithContainer(change);

    private static Func<Pod, Pod> Spec(Func<PodSpec, PodSpec> change) => p => p.WithSpec(change);

    private static Func<Pod, Pod> Port(ContainerPort port) => Container(c => c with { Ports = [port] });

    private static Func<Pod, Pod> Resources(params (string Name, string Request)[] requests) => Resources(requests, []);

    private static Func<Pod, Pod> Resources((string, string)[] requests, (string, string)[] limits) =>
        Container(c => c with { Resources = new() { Requests = TestPods.Quantities(requests), Limits = TestPods.Quantities(limits) } });

    private static Func<Pod, Pod> Liveness(Probe probe) => Container(c => c with { LivenessProbe = probe });

    private static Func<Pod, Pod> Readiness(Probe probe) => Container(c => c with { ReadinessProbe = probe });

    private static Func<Pod, Pod> Toleration(Toleration toleration) => Spec(s => s with { Tolerations = [toleration] });

    private static readonly Probe Exec = new() { Exec = new() { Command = ["true"] } };

    public static TheoryData<Case<Func<Pod, Pod>>> ValidPods => new()
    {
        Row("minimal", p => p),
        Row("every field set", _ => TestPods.Full()),
        Row("every field set, defaulted", _ => PodDefaults.Apply(TestPods.Full())),
        Row("readiness probe needs several successes", Readiness(Exec with { SuccessThreshold = 3 })),
        Row("request equal to limit", Resources([("cpu", "1")], [("cpu", "1000m")])),
        Row("zero request", Resources(("cpu", "0"))),
        Row("named probe port", Liveness(new() { TcpSocket = new() { Port = "http-alt" } })),
        Row("toleration with an empty operator is Equal", Toleration(new() { Key = "dedicated", Value = "gpu" })),
    };

    public static TheoryData<Case<Func<Pod, Pod>>> InvalidPods => new()
    {
        // Containers.
        Row("no containers", Spec(s => s with { Containers = null }), "spec.containers: Required value"),
        Row("empty containers", Spec(s => s with { Containers = [] }), "spec.containers: Required value"),
        Row("container without a name", Container(c => c with { Name = "" }), $"{C0}.name: Required value"),
        Row("container name not a label", Container(c => c with { Name = "App_1" }),
            "spec.containers[0].name: Invalid value: \"App_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')"),
        Row("duplicate container names", Spec(s => s with { Containers = [s.Containers![0], s.Containers[0]] }),
            "spec.containers[1].name: Duplicate value: \"app\""),
        Row("container without an image", Container(c => c with { Image = null }), $"{C0}.image: Required value"),
        Row("image with surrounding space", Container(c => c with { Image = " nginx" }),
            $"{C0}.image: Invalid value: \" nginx\": must not have leading or trailing whitespace"),

        // Ports.
        Row("port above 65535", Port(new() { Number = 70000 }), $"{C0}.ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"),
        Row("negative port", Port(new() { Number = -1 }), $"{C0}.ports[0].containerPort: Invalid value: -1: must be between 1 and 65535, inclusive"),
        Row("port missing", Port(new() { Number = 0 }), $"{C0}.ports[0].containerPort: Required value"),
        Row("host port above 65535", Port(new() { Number = 80, HostPort = 70000 }),
            $"{C0}.ports[0].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive"),
        Row("unknown protocol", Port(new() { Number = 80, Protocol = "HTTP" }),
            $"{C0}.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""),
        Row("port name in capitals", Port(new() { Number = 80, Name = "HTTP" }),
            $"{C0}.ports[0].name: Invalid value: \"HTTP\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
            $"{C0}.ports[0].name: Invalid value: \"HTTP\": must contain at least one letter (a-z)"),
        Row("port name too long", Port(new() { Number = 80, Name = "web-server-admin" }),
            $"{C0}.ports[0].name: Invalid value: \"web-server-admin\": must be no more than 15 characters"),
        Row("port name with consecutive hyphens", Port(new() { Number = 80, Name = "web--x" }),
            $"{C0}.ports[0].name: Invalid value: \"web--x\": must not contain consecutive hyphens"),
        Row("port name starting with a hyphen", Port(new() { Number = 80, Name = "-web" }),
            $"{C0}.ports[0].name: Invalid value: \"-web\": must not begin or end with a hyphen"),
        Row("port name all digits", Port(new() { Number = 80, Name = "8080" }),
            $"{C0}.ports[0].name: Invalid value: \"8080\": must contain at least one letter (a-z)"),
        Row("duplicate port names", Container(c => c with { Ports = [new() { Name = "http", Number = 80 }, new() { Name = "http", Number = 81 }] }),
            $"{C0}.ports[1].name: Duplicate value: \"http\""),

        // Environment.
        Row("env without a name", Container(c => c with { Env = [new() { Value = "x" }] }), $"{C0}.env[0].name: Required value"),

        // Resources.
        Row("unparsable limit", Resources([], [("cpu", "abc")]), $"{C0}.resources.limits[cpu]: Invalid value: \"abc\": {KubernetesText.Quantity}"),
        Row("negative request", Resources(("memory", "-1")), $"{C0}.resources.requests[memory]: Invalid value: \"-1\": must be greater than or equal to 0"),
        Row("request above limit", Resources([("cpu", "2")], [("cpu", "1")]),
            $"{C0}.resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1"),
        Row("request above limit in other units", Resources([("memory", "1Gi")], [("memory", "1G")]),
            $"{C0}.resources.requests: Invalid value: \"1Gi\": must be less than or equal to memory limit of 1G"),
        Row("misspelt resource", Resources(("cpus", "1")),
            $"{C0}.resources.requests[cpus]: Invalid value: \"cpus\": must be a standard resource type or fully qualified"),
        Row("resource not for containers", Resources([], [("pods", "1")]),
            $"{C0}.resources.limits[pods]: Invalid value: \"pods\": must be a standard resource for containers"),
        Row("resource name with a space", Resources(("bad name", "1")),
            $"{C0}.resources.requests[bad name]: Invalid value: \"bad name\": {KubernetesText.QualifiedName}"),
        Row("extended resource request below limit", Resources([("example.com/gpu", "1")], [("example.com/gpu", "2")]),
            $"{C0}.resources.requests: Invalid value: \"1\": must be equal to example.com/gpu limit of 2"),
        Row("extended resource without a limit", Resources(("example.com/gpu", "1")),
            $"{C0}.resources.limits: Required value: Limit must be set for non overcommitable resources"),
        Row("fractional extended resource", Resources([], [("example.com/gpu", "500m")]),
            $"{C0}.resources.limits[example.com/gpu]: Invalid value: \"500m\": must be an integer"),

        // Probes.
        Row("two probe handlers", Liveness(Exec with { HttpGet = new() { Port = 80 } }),
            $"{C0}.livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type"),
        Row("three probe handlers", Readiness(Exec with { HttpGet = new() { Port = 80 }, TcpSocket = new() { Port = 80 } }),
            $"{C0}.readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type",
            $"{C0}.readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"),
        Row("no probe handler", Liveness(new() { PeriodSeconds = 5 }), $"{C0}.livenessProbe: Required value: must specify a handler type"),
        Row("exec without a command", Liveness(new() { Exec = new() }), $"{C0}.livenessProbe.exec.command: Required value"),
        Row("negative probe numbers", Readiness(Exec with { InitialDelaySeconds = -1, TimeoutSeconds = -2, PeriodSeconds = -3, SuccessThreshold = -4, FailureThreshold = -5 }),
            $"{C0}.readinessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0",
            $"{C0}.readinessProbe.timeoutSeconds: Invalid value: -2: must be greater than or equal to 0",
            $"{C0}.readinessProbe.periodSeconds: Invalid value: -3: must be greater than or equal to 0",
            $"{C0}.readinessProbe.successThreshold: Invalid value: -4: must be greater than or equal to 0",
            $"{C0}.readinessProbe.failureThreshold: Invalid value: -5: must be greater than or equal to 0"),
        Row("liveness needing two successes", Liveness(Exec with { SuccessThreshold = 2 }), $"{C0}.livenessProbe.successThreshold: Invalid value: 2: must be 1"),
        Row("startup needing three successes", Container(c => c with { StartupProbe = Exec with { SuccessThreshold = 3 } }),
            $"{C0}.startupProbe.successThreshold: Invalid value: 3: must be 1"),
        Row("probe port zero", Liveness(new() { HttpGet = new() { Port = 0 } }),
            $"{C0}.livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive"),
        Row("probe port name in capitals", Liveness(new() { TcpSocket = new() { Port = "Web" } }),
            $"{C0}.livenessProbe.tcpSocket.port: Invalid value: \"Web\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
        Row("unknown probe scheme", Liveness(new() { HttpGet = new() { Port = 80, Scheme = "FTP" } }),
            $"{C0}.livenessProbe.httpGet.scheme: Unsupported value: \"FTP\": supported values: \"HTTP\", \"HTTPS\""),

        // Pod spec.
        Row("unknown restart policy", Spec(s => s with { RestartPolicy = "Sometimes" }),
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""),
        Row("negative grace period", Spec(s => s with { TerminationGracePeriodSeconds = -1 }),
            "spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0"),
        Row("zero active deadline", Spec(s => s with { ActiveDeadlineSeconds = 0 }),
            "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"),
        Row("node selector key with a space", Spec(s => s with { NodeSelector = TestPods.Labels(("bad key", "x")) }),
            $"spec.nodeSelector: Invalid value: \"bad key\": {KubernetesText.QualifiedName}"),
        Row("node selector value with a space", Spec(s => s with { NodeSelector = TestPods.Labels(("disk", "fast ssd")) }),
            $"spec.nodeSelector: Invalid value: \"fast ssd\": {KubernetesText.LabelValue}"),
        Row("node name not a subdomain", Spec(s => s with { NodeName = "Node_1" }), $"spec.nodeName: Invalid value: \"Node_1\": {KubernetesText.Subdomain}"),
        Row("hostname not a label", Spec(s => s with { Hostname = "web.local" }), $"spec.hostname: Invalid value: \"web.local\": {KubernetesText.Label}"),
        Row("scheduler name not a subdomain", Spec(s => s with { SchedulerName = "My Scheduler" }),
            $"spec.schedulerName: Invalid value: \"My Scheduler\": {KubernetesText.Subdomain}"),

        // Tolerations.
        Row("unknown toleration operator", Toleration(new() { Key = "k", Operator = "In" }),
            "spec.tolerations[0].operator: Unsupported value: \"In\": supported values: \"Equal\", \"Exists\""),
        Row("unknown toleration effect", Toleration(new() { Key = "k", Operator = "Exists", Effect = "Sometimes" }),
            "spec.tolerations[0].effect: Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""),
        Row("Exists with a value", Toleration(new() { Key = "k", Operator = "Exists", Value = "v" }),
            "spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'"),
        Row("empty key with Equal", Toleration(new() { Operator = "Equal" }),
            "spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\""),
        Row("tolerationSeconds without NoExecute", Toleration(new() { Key = "k", Operator = "Exists", Effect = "NoSchedule", TolerationSeconds = 60 }),
            "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"),
        Row("toleration key with a space", Toleration(new() { Key = "bad key", Operator = "Exists" }),
            $"spec.tolerations[0].key: Invalid value: \"bad key\": {KubernetesText.QualifiedName}"),
        Row("toleration value with a space", Toleration(new() { Key = "k", Value = "bad value" }),
            $"spec.tolerations[0].operator: Invalid value: \"bad value\": {KubernetesText.LabelValue}"),

        // Metadata, and several problems at once.
        Row("metadata checked as namespaced", p => p with { Metadata = p.Metadata with { Namespace = null } }, "metadata.namespace: Required value"),
        Row("all problems at once", p => p.WithContainer(c => c with { Image = "" }).WithSpec(s => s with { RestartPolicy = "Sometimes" }) with { Metadata = new() { Name = "Web", Namespace = "default" } },
            $"metadata.name: Invalid value: \"Web\": {KubernetesText.Subdomain}",
            $"{C0}.image: Required value",
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""),
    };

    [Theory]
    [MemberData(nameof(ValidPods))]
    public void Validate_ValidPod_ReportsNothing(Case<Func<Pod, Pod>> c) =>
        Assert.Empty(PodValidation.Validate(c.Input(TestPods.Minimal())));

    [Theory]
    [MemberData(nameof(InvalidPods))]
    public void Validate_InvalidPod_ReportsKubernetesErrors(Case<Func<Pod, Pod>> c) =>
        Assert.Equal(c.Expected, PodValidation.Validate(c.Input(TestPods.Minimal())).Select(e => e.ToString()));
}
