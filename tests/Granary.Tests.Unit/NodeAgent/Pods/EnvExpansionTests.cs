using Granary.NodeAgent.Pods;

namespace Granary.Tests.Unit.NodeAgent.Pods;

/// <summary>Cases from Kubernetes' expansion_test.go.</summary>
public sealed class EnvExpansionTests
{
    private static readonly Dictionary<string, string> Vars = new()
    {
        ["VAR_A"] = "A",
        ["VAR_B"] = "B",
        ["VAR_C"] = "C",
        ["VAR_REF"] = "$(VAR_A)",
        ["VAR_EMPTY"] = "",
    };

    [Theory]
    [InlineData("$(VAR_A)", "A")]
    [InlineData("___$(VAR_B)___", "___B___")]
    [InlineData("$(VAR_A)-$(VAR_A)", "A-A")]
    [InlineData("$(VAR_A)_$(VAR_B)_$(VAR_C)", "A_B_C")]
    [InlineData("$(VAR_REF)", "$(VAR_A)")] // no recursion
    [InlineData("foo$(VAR_EMPTY)bar", "foobar")]
    [InlineData("$(UNKNOWN)", "$(UNKNOWN)")] // undefined: kept as written
    [InlineData("$$(VAR_A)", "$(VAR_A)")] // escaped
    [InlineData("$$$(VAR_A)", "$A")]
    [InlineData("$$$$(VAR_A)", "$$(VAR_A)")]
    [InlineData("f00__(VAR_A)__", "f00__(VAR_A)__")]
    [InlineData("$?_boo_$!", "$?_boo_$!")]
    [InlineData("$VAR_A", "$VAR_A")] // shell syntax is not expanded
    [InlineData("$(VAR_A", "$(VAR_A")] // unclosed
    [InlineData("$()", "$()")] // empty name is not defined
    [InlineData("$", "$")]
    [InlineData("$$", "$")]
    [InlineData("$(VAR_B)___$(A", "B___$(A")] // a trailing unclosed reference stays
    [InlineData("", "")]
    public void Expand_FollowsKubernetes(string input, string expected)
    {
        Assert.Equal(expected, EnvExpansion.Expand(input, Vars));
    }

    [Theory]
    [InlineData("PATH", true)]
    [InlineData("my.key", true)]
    [InlineData("with-dash", true)]
    [InlineData("_x", true)]
    [InlineData("1abc", false)]
    [InlineData("has space", false)]
    [InlineData("a=b", false)]
    [InlineData(".", false)]
    [InlineData("..x", false)]
    [InlineData("", false)]
    public void IsEnvVarName_FollowsKubernetes(string name, bool valid)
    {
        Assert.Equal(valid, EnvExpansion.IsEnvVarName(name));
    }
}
