using Granary.Silo.Api.Metrics;

namespace Granary.Tests.Unit.Metrics;

/// <summary>The text of metrics-server's quantities and windows, as apimachinery prints them.</summary>
public sealed class MetricsQuantitiesTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(109_755_133, "109755133n")]
    [InlineData(250_000, "250u")]
    [InlineData(5_000_000, "5m")]
    [InlineData(2_000_000_000, "2")]
    public void Cpu_IsCanonicalNanocores(long nanocores, string expected) => Assert.Equal(expected, MetricsQuantities.Cpu(nanocores));

    [Theory]
    [InlineData(0, "0")]
    [InlineData(1_476_919_296, "1442304Ki")]
    [InlineData(4 * 1024 * 1024, "4Mi")]
    [InlineData(1_000_001, "1000001")]
    public void Memory_IsCanonicalBinary(long bytes, string expected) => Assert.Equal(expected, MetricsQuantities.Memory(bytes));

    [Theory]
    [InlineData(15_004, "15.004s")]
    [InlineData(15_000, "15s")]
    [InlineData(60_500, "1m0.5s")]
    public void Window_IsAGoDuration(int milliseconds, string expected) => Assert.Equal(expected, MetricsQuantities.Window(TimeSpan.FromMilliseconds(milliseconds)));
}
