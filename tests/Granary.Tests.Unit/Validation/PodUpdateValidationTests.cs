using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class PodUpdateValidationTests
{
    private const string SpecForbidden =
        "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    private const string TolerationForbidden = "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds";

    /// <summary>The stored pod: defaulted, with a deadline, a toleration and resources to change.</summary>
    private static Pod Old() => PodDefaults.Apply(TestPods.Minimal()
        .WithSpec(s => s with
        {
            ActiveDeadlineSeconds = 60,
            InitContainers = [new() { Name = "init", Image = "busybox:1.36" }],
            SchedulingGates = [new() { Name = "example.com/quota" }],
            Tolerations = [new() { Key = "node.kubernetes.io/unreachable", Operator = "Exists", Effect = "NoExecute", TolerationSeconds = 300 }],
        })
        .WithContainer(c => c with
        {
            Command = ["/bin/web"],
            Resources = new() { Requests = TestPods.Quantities(("cpu", "1")), Limits = TestPods.Quantities(("cpu", "1")) },
        }));

    private static Case<Func<Pod, Pod>> Row(string name, Func<Pod, Pod> change, params string[] expected) => new(name, change, expected);

    private static Func<Pod, Pod> Spec(Func<PodSpec, PodSpec> change) => p => p.WithSpec(change);

    private static Func<Pod, Pod> Container(Func<Container, Container> change) => p => p.WithContainer(change);

    private static Toleration Added => new() { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" };

    public static TheoryData<Case<Func<Pod, Pod>>> Updates => new()
    {
        // Allowed.
        Row("nothing changes", p => p),
        Row("image changes", Container(c => c with { Image = "nginx:1.28" })),
        Row("labels change", p => p with { Metadata = p.Metadata with { Labels = TestPods.Labels(("app", "web")) } }),
        Row("status changes", p => p with { Status = new() { Phase = "Running" } }),
        Row("deadline shortened", Spec(s => s with { ActiveDeadlineSeconds = 30 })),
        Row("toleration added", Spec(s => s with { Tolerations = s.Tolerations!.Add(Added) })),
        Row("tolerationSeconds changed", Spec(s => s with { Tolerations = [s.Tolerations![0] with { TolerationSeconds = 60 }] })),
        Row("nodeName set by binding", Spec(s => s with { NodeName = "node-1" })),
        Row("same quantity in other units", Container(c => c with { Resources = c.Resources! with { Limits = TestPods.Quantities(("cpu", "1000m")) } })),
        Row("empty list for none", Container(c => c with { Env = [], Ports = [] })),
        Row("init container image changes", Spec(s => s with { InitContainers = [s.InitContainers![0] with { Image = "busybox:1.37" }] })),
        Row("scheduling gate removed", Spec(s => s with { SchedulingGates = [] })),

        // Forbidden.
        Row("command changes", Container(c => c with { Command = ["/bin/other"] }), SpecForbidden),
        Row("volume added", Spec(s => s with { Volumes = [new() { Name = "scratch", EmptyDir = new() }] }), SpecForbidden),
        Row("security context changes", Spec(s => s with { SecurityContext = new() { RunAsUser = 1000 } }), SpecForbidden),
        Row("init container command changes", Spec(s => s with { InitContainers = [s.InitContainers![0] with { Command = ["true"] }] }), SpecForbidden),
        Row("init container added", Spec(s => s with { InitContainers = s.InitContainers!.Add(new() { Name = "second", Image = "busybox", ImagePullPolicy = "Always", TerminationMessagePath = "/dev/termination-log", TerminationMessagePolicy = "File" }) }), SpecForbidden),
        Row("service account changes", Spec(s => s with { ServiceAccountName = "robot", ServiceAccount = "robot" }), SpecForbidden),
        Row("scheduling gate added", Spec(s => s with { SchedulingGates = s.SchedulingGates!.Add(new() { Name = "example.com/new" }) }),
            "spec.schedulingGates: Forbidden: only deletion is allowed, but found new scheduling gate 'example.com/new'"),
        Row("restart policy changes", Spec(s => s with { RestartPolicy = "Never" }), SpecForbidden),
        Row("grace period changes", Spec(s => s with { TerminationGracePeriodSeconds = 60 }), SpecForbidden),
        Row("resources change", Container(c => c with { Resources = new() { Requests = TestPods.Quantities(("cpu", "2")), Limits = TestPods.Quantities(("cpu", "2")) } }),
            SpecForbidden),
        Row("container added", Spec(s => s with { Containers = s.Containers!.Add(new() { Name = "sidecar", Image = "busybox", ImagePullPolicy = "Always" }) }),
            "spec.containers: Forbidden: pod updates may not add or remove containers"),
        Row("deadline lengthened", Spec(s => s with { ActiveDeadlineSeconds = 120 }),
            "spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal to previous value"),
        Row("deadline removed", Spec(s => s with { ActiveDeadlineSeconds = null }),
            "spec.activeDeadlineSeconds: Invalid value: \"null\": must not update from a positive integer to nil value"),
        Row("toleration removed", Spec(s => s with { Tolerations = [Added] }), TolerationForbidden),
        Row("toleration changed", Spec(s => s with { Tolerations = [s.Tolerations![0] with { Effect = "NoSchedule", TolerationSeconds = null }] }),
            TolerationForbidden),
        Row("image emptied", Container(c => c with { Image = "" }), "spec.containers[0].image: Required value"),
        Row("name changes", p => p with { Metadata = p.Metadata with { Name = "web-2" } }, "metadata.name: Invalid value: \"web-2\": field is immutable"),
    };

    [Theory]
    [MemberData(nameof(Updates))]
    public void ValidateUpdate_Change_ReportsKubernetesErrors(Case<Func<Pod, Pod>> c) =>
        Assert.Equal(c.Expected, PodValidation.ValidateUpdate(Old(), c.Input(Old())).Select(e => e.ToString()));

    public static TheoryData<string?, string?, bool> NodeNameChanges => new()
    {
        { null, null, true },
        { null, "node-1", true },
        { "node-1", "node-1", true },
        { "node-1", "node-2", false },
        { "node-1", null, false },
    };

    [Theory]
    [MemberData(nameof(NodeNameChanges))]
    public void ValidateUpdate_NodeName_MayOnlyBeSetOnce(string? before, string? after, bool allowed)
    {
        var old = Old().WithSpec(s => s with { NodeName = before });
        var errors = PodValidation.ValidateUpdate(old, old.WithSpec(s => s with { NodeName = after }));
        Assert.Equal(allowed ? [] : [SpecForbidden], errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData(-1, 1, true)]
    [InlineData(-1, 2, false)]
    [InlineData(30, 1, false)]
    public void ValidateUpdate_GracePeriod_MayOnlyGoFromNegativeToOne(long before, long after, bool allowed)
    {
        var old = Old().WithSpec(s => s with { TerminationGracePeriodSeconds = before });
        var errors = PodValidation.ValidateUpdate(old, old.WithSpec(s => s with { TerminationGracePeriodSeconds = after }));
        Assert.Equal(allowed ? [] : [SpecForbidden], errors.Select(e => e.ToString()));
    }
}
