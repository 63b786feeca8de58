using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class NodeValidationTests
{
    private static Node Valid() => new()
    {
        Metadata = new() { Name = "node-1.example.com", Labels = TestPods.Labels(("kubernetes.io/hostname", "node-1")) },
        Spec = new()
        {
            PodCIDR = "10.244.1.0/24",
            Taints =
            [
                new() { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" },
                new() { Key = "dedicated", Value = "gpu", Effect = "NoExecute" },
                new() { Key = "example.com/maintenance", Effect = "PreferNoSchedule" },
            ],
        },
        Status = new()
        {
            Capacity = TestPods.Quantities(("cpu", "4"), ("memory", "16Gi"), ("pods", "110"), ("example.com/gpu", "2")),
            Allocatable = TestPods.Quantities(("cpu", "3500m"), ("memory", "15.5Gi"), ("pods", "110")),
            Addresses = [new() { Type = "InternalIP", Address = "10.0.0.4" }, new() { Type = "Hostname", Address = "node-1" }],
        },
    };

    private static Case<Func<Node, Node>> Row(string name, Func<Node, Node> change, params string[] expected) => new(name, change, expected);

    private static Func<Node, Node> Taint(Taint taint) => n => n with { Spec = n.Spec with { Taints = [taint] } };

    private static Func<Node, Node> Status(Func<NodeStatus, NodeStatus> change) => n => n with { Status = change(n.Status!) };

    private static readonly Taint NoSchedule = new() { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" };

    public static TheoryData<Case<Func<Node, Node>>> Nodes => new()
    {
        Row("valid", n => n),
        Row("no status yet", n => n with { Status = null }),
        Row("name not a subdomain", n => n with { Metadata = n.Metadata with { Name = "Node_1" } },
            $"metadata.name: Invalid value: \"Node_1\": {KubernetesText.Subdomain}"),
        Row("namespace set", n => n with { Metadata = n.Metadata with { Namespace = "default" } }, "metadata.namespace: Forbidden: not allowed on this type"),
        Row("unparsable capacity", Status(s => s with { Capacity = TestPods.Quantities(("cpu", "four")) }),
            $"status.capacity.cpu: Invalid value: \"four\": {KubernetesText.Quantity}"),
        Row("negative allocatable", Status(s => s with { Allocatable = TestPods.Quantities(("memory", "-1Gi")) }),
            "status.allocatable.memory: Invalid value: \"-1Gi\": must be greater than or equal to 0"),
        Row("fractional pod count", Status(s => s with { Capacity = TestPods.Quantities(("pods", "1.5")) }),
            "status.capacity.pods: Invalid value: \"1.5\": must be an integer"),
        Row("taint key with a space", Taint(NoSchedule with { Key = "bad key" }),
            $"spec.taints[0].key: Invalid value: \"bad key\": {KubernetesText.QualifiedName}"),
        Row("taint without a key", Taint(NoSchedule with { Key = "" }),
            "spec.taints[0].key: Invalid value: \"\": name part must be non-empty",
            $"spec.taints[0].key: Invalid value: \"\": {KubernetesText.QualifiedName}"),
        Row("taint value with a space", Taint(NoSchedule with { Value = "bad value" }),
            $"spec.taints[0].value: Invalid value: \"bad value\": {KubernetesText.LabelValue}"),
        Row("taint without an effect", Taint(NoSchedule with { Effect = "" }), "spec.taints[0].effect: Required value"),
        Row("unknown taint effect", Taint(NoSchedule with { Effect = "Never" }),
            "spec.taints[0].effect: Unsupported value: \"Never\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""),
        Row("duplicate key and effect", n => n with { Spec = n.Spec with { Taints = [NoSchedule, NoSchedule with { Value = "tpu" }] } },
            "spec.taints[1]: Duplicate value: \"dedicated=tpu:NoSchedule\": taints must be unique by key and effect pair"),
        Row("duplicate key and effect without value", n => n with { Spec = n.Spec with { Taints = [NoSchedule with { Value = null }, NoSchedule with { Value = null }] } },
            "spec.taints[1]: Duplicate value: \"dedicated:NoSchedule\": taints must be unique by key and effect pair"),
        Row("unknown address type", Status(s => s with { Addresses = [new() { Type = "Public", Address = "1.2.3.4" }] }),
            "status.addresses[0].type: Unsupported value: \"Public\": supported values: \"Hostname\", \"InternalIP\", \"ExternalIP\", \"InternalDNS\", \"ExternalDNS\""),
    };

    [Theory]
    [MemberData(nameof(Nodes))]
    public void Validate_Node_ReportsKubernetesErrors(Case<Func<Node, Node>> c) =>
        Assert.Equal(c.Expected, NodeValidation.Validate(c.Input(Valid())).Select(e => e.ToString()));

    public static TheoryData<Case<Func<Node, Node>>> Updates => new()
    {
        Row("taints change", n => n with { Spec = n.Spec with { Taints = null, Unschedulable = true } }),
        Row("status changes", Status(s => s with { Allocatable = TestPods.Quantities(("cpu", "2")) })),
        Row("podCIDR changes", n => n with { Spec = n.Spec with { PodCIDR = "10.244.2.0/24" } },
            "spec.podCIDR: Forbidden: node updates may not change podCIDR except from \"\" to valid"),
        Row("providerID changes", n => n with { Spec = n.Spec with { ProviderID = "granary://other" } },
            "spec.providerID: Forbidden: node updates may not change providerID except from \"\" to valid"),
        Row("name changes", n => n with { Metadata = n.Metadata with { Name = "node-2" } }, "metadata.name: Invalid value: \"node-2\": field is immutable"),
        Row("invalid taint added", n => n with { Spec = n.Spec with { Taints = [NoSchedule with { Effect = "" }] } }, "spec.taints[0].effect: Required value"),
    };

    [Theory]
    [MemberData(nameof(Updates))]
    public void ValidateUpdate_Change_ReportsKubernetesErrors(Case<Func<Node, Node>> c)
    {
        var old = Valid() with { Spec = Valid().Spec with { ProviderID = "granary://node-1" } };
        Assert.Equal(c.Expected, NodeValidation.ValidateUpdate(old, c.Input(old)).Select(e => e.ToString()));
    }

    [Fact]
    public void ValidateUpdate_PodCidrAndProviderIdFirstSet_Allowed()
    {
        var old = Valid() with { Spec = Valid().Spec with { PodCIDR = null, ProviderID = null } };
        var updated = old with { Spec = old.Spec with { PodCIDR = "10.244.1.0/24", ProviderID = "granary://node-1" } };
        Assert.Empty(NodeValidation.ValidateUpdate(old, updated));
    }
}
