using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Tests.Unit.Validation;

public class DefaultTolerationSecondsTests
{
    private static Pod WithTolerations(params Toleration[] tolerations) =>
        new() { Metadata = new ObjectMeta { Name = "p", Namespace = "default" }, Spec = new PodSpec { Tolerations = tolerations.Length == 0 ? null : [.. tolerations] } };

    private static string[] Summary(Pod pod) =>
        [.. (pod.Spec.Tolerations ?? []).Select(t => $"{t.Key}|{t.Operator}|{t.Effect}|{t.TolerationSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}")];

    public static TheoryData<string, Toleration[], string[]> Cases => new()
    {
        {
            "none set: both added", [],
            [$"{NodeTaints.NotReady}|Exists|NoExecute|15", $"{NodeTaints.Unreachable}|Exists|NoExecute|20"]
        },
        {
            "own unreachable toleration kept, not-ready added", [new Toleration { Key = NodeTaints.Unreachable, Operator = "Exists", Effect = "NoExecute", TolerationSeconds = 600 }],
            [$"{NodeTaints.Unreachable}|Exists|NoExecute|600", $"{NodeTaints.NotReady}|Exists|NoExecute|15"]
        },
        {
            "empty key and effect tolerate everything: nothing added", [new Toleration { Operator = "Exists" }],
            ["|Exists||-"]
        },
        {
            "a NoSchedule toleration does not cover NoExecute", [new Toleration { Key = NodeTaints.NotReady, Operator = "Exists", Effect = "NoSchedule" }],
            [$"{NodeTaints.NotReady}|Exists|NoSchedule|-", $"{NodeTaints.NotReady}|Exists|NoExecute|15", $"{NodeTaints.Unreachable}|Exists|NoExecute|20"]
        },
        {
            "empty effect on the key covers it", [new Toleration { Key = NodeTaints.NotReady, Operator = "Exists" }],
            [$"{NodeTaints.NotReady}|Exists||-", $"{NodeTaints.Unreachable}|Exists|NoExecute|20"]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Apply_AddsOnlyWhatThePodDoesNotTolerate(string name, Toleration[] set, string[] expected)
    {
        var pod = DefaultTolerationSeconds.Apply(WithTolerations(set), notReadySeconds: 15, unreachableSeconds: 20);

        Assert.True(expected.SequenceEqual(Summary(pod)), $"{name}: {string.Join(", ", Summary(pod))}");
    }

    [Fact]
    public void Apply_IsIdempotent()
    {
        var once = DefaultTolerationSeconds.Apply(WithTolerations(), 15, 15);

        Assert.Same(once, DefaultTolerationSeconds.Apply(once, 15, 15));
    }
}
