using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Tests.Unit.Model;

public sealed class PodQosTests
{
    private static ResourceRequirements Resources(string? cpuRequest, string? memoryRequest, string? cpuLimit, string? memoryLimit) => new()
    {
        Requests = Map(("cpu", cpuRequest), ("memory", memoryRequest)),
        Limits = Map(("cpu", cpuLimit), ("memory", memoryLimit)),
    };

    private static ImmutableSortedDictionary<string, Quantity> Map(params (string Name, string? Value)[] items) =>
        items.Where(i => i.Value is not null).ToImmutableSortedDictionary(i => i.Name, i => new Quantity(i.Value!));

    private static PodSpec Spec(ResourceRequirements? app, ResourceRequirements? init = null) => new()
    {
        Containers = [new() { Name = "app", Resources = app }],
        InitContainers = init is null ? null : [new() { Name = "init", Resources = init }],
    };

    public static TheoryData<string, PodSpec, string> Pods => new()
    {
        { "nothing", Spec(null), PodQos.BestEffort },
        { "only other resources", Spec(new() { Limits = Map(("example.com/gpu", "1")), Requests = Map(("example.com/gpu", "1")) }), PodQos.BestEffort },
        { "zero requests", Spec(Resources("0", "0", null, null)), PodQos.BestEffort },
        { "requests equal limits", Spec(Resources("500m", "64Mi", "0.5", "64Mi")), PodQos.Guaranteed },
        { "a request below its limit", Spec(Resources("250m", "64Mi", "500m", "64Mi")), PodQos.Burstable },
        { "cpu limit only", Spec(Resources("1", null, "1", null)), PodQos.Burstable },
        { "requests only", Spec(Resources("1", "1Gi", null, null)), PodQos.Burstable },
        { "init container counts", Spec(Resources("1", "1Gi", "1", "1Gi"), Resources(null, null, null, null)), PodQos.Burstable },
        { "guaranteed init container too", Spec(Resources("1", "1Gi", "1", "1Gi"), Resources("1", "1Gi", "1", "1Gi")), PodQos.Guaranteed },
    };

    [Theory]
    [MemberData(nameof(Pods))]
    public void Of_Pod_ClassByKubernetesRules(string name, PodSpec spec, string expected)
    {
        _ = name;
        Assert.Equal(expected, PodQos.Of(spec));
    }
}
