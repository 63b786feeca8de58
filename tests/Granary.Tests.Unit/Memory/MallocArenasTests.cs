using Granary.Silo;
using Microsoft.Extensions.Configuration;

namespace Granary.Tests.Unit.Memory;

/// <summary>The malloc arena cap: a negative setting is refused with the setting's name, 0 and positive numbers are taken.</summary>
public class MallocArenasTests
{
    private static IConfiguration Setting(string? value) => new ConfigurationBuilder()
        .AddInMemoryCollection(value is null ? [] : [new KeyValuePair<string, string?>("Memory:MallocArenas", value)])
        .Build();

    [Fact]
    public void Limit_Negative_NamesTheSetting()
    {
        var error = MallocArenas.Limit(Setting("-1"));

        Assert.NotNull(error);
        Assert.Contains("Memory:MallocArenas", error, StringComparison.Ordinal);
        Assert.Contains("-1", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("8")]
    public void Limit_ZeroDefaultOrPositive_IsAccepted(string? value) =>
        Assert.Null(MallocArenas.Limit(Setting(value)));
}
