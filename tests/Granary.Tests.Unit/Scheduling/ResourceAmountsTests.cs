using System.Collections.Immutable;
using Granary.Grains.Scheduling;
using Granary.Model;
using static Granary.Tests.Unit.Scheduling.SchedulingObjects;

namespace Granary.Tests.Unit.Scheduling;

public class ResourceAmountsTests
{
    [Theory]
    [InlineData(null, null, 0, 0)]
    [InlineData("100m", null, 100, 0)]
    [InlineData("0.5", "128Mi", 500, 134217728)]
    [InlineData("1", "1G", 1000, 1000000000)]
    [InlineData("1.0001", "1.5", 1001, 2)]
    public void RequestsOf_OneContainer_ReadsCpuAsMilliAndMemoryAsBytes(string? cpu, string? memory, long milliCpu, long bytes)
    {
        var requests = ResourceAmounts.RequestsOf(Pod("p", cpu, memory));

        Assert.Equal(new ResourceAmounts(milliCpu, bytes, 1), requests);
    }

    [Fact]
    public void RequestsOf_SeveralContainers_SumsThem()
    {
        var pod = Pod("p") with
        {
            Spec = new()
            {
                Containers =
                [
                    new() { Name = "a", Resources = new() { Requests = Resources("250m", "64Mi", null) } },
                    new() { Name = "b", Resources = new() { Requests = Resources("1", null, null) } },
                    new() { Name = "c" },
                ],
            },
        };

        Assert.Equal(new ResourceAmounts(1250, 64 * 1024 * 1024, 1), ResourceAmounts.RequestsOf(pod));
    }

    [Fact]
    public void RequestsOf_NoContainers_CountsOnePod()
    {
        Assert.Equal(new ResourceAmounts(0, 0, 1), ResourceAmounts.RequestsOf(new Pod()));
    }

    [Theory]
    // allocatable cpu, memory, pods | capacity cpu, memory, pods | expected
    [InlineData("2", "4Gi", "20", "8", "16Gi", "200", 2000, 4294967296, 20)]
    [InlineData(null, null, null, "8", "16Gi", "200", 8000, 17179869184, 200)]
    [InlineData("1500m", null, null, null, "1Ki", null, 1500, 1024, 110)]
    [InlineData(null, null, null, null, null, null, 0, 0, 110)]
    public void AllocatableOf_PerResource_PrefersAllocatableThenCapacityThenDefault(
        string? allocCpu, string? allocMemory, string? allocPods, string? capCpu, string? capMemory, string? capPods,
        long milliCpu, long bytes, long pods)
    {
        var node = new Node
        {
            Status = new() { Allocatable = Resources(allocCpu, allocMemory, allocPods), Capacity = Resources(capCpu, capMemory, capPods) },
        };

        Assert.Equal(new ResourceAmounts(milliCpu, bytes, pods), ResourceAmounts.AllocatableOf(node));
    }

    [Fact]
    public void AllocatableOf_NoStatus_HasOnlyDefaultPods()
    {
        Assert.Equal(new ResourceAmounts(0, 0, 110), ResourceAmounts.AllocatableOf(new Node()));
    }

    [Fact]
    public void Operators_AddAndSubtract_PerResource()
    {
        var a = new ResourceAmounts(1000, 2048, 3);
        var b = new ResourceAmounts(250, 48, 1);

        Assert.Equal(new ResourceAmounts(1250, 2096, 4), a + b);
        Assert.Equal(new ResourceAmounts(750, 2000, 2), a - b);
    }

    [Fact]
    public void AllocatableOf_EmptyDictionaries_FallBackPerResource()
    {
        var node = new Node
        {
            Status = new() { Allocatable = ImmutableSortedDictionary<string, Quantity>.Empty, Capacity = Resources("3", null, "5") },
        };

        Assert.Equal(new ResourceAmounts(3000, 0, 5), ResourceAmounts.AllocatableOf(node));
    }
}
