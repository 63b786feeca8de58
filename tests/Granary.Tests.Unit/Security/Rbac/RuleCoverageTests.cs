using System.Collections.Immutable;
using Granary.Grains.Security;
using Granary.Grains.Security.Rbac;
using Granary.Model;

namespace Granary.Tests.Unit.Security.Rbac;

public sealed class RuleCoverageTests
{
    /// <summary>"verbs|groups|resources|names" or "verbs|url:/a,/b"; lists comma-separated, "" the core group.</summary>
    private static PolicyRule Rule(string text)
    {
        var parts = text.Split('|');
        if (parts[1].StartsWith("url:", StringComparison.Ordinal))
            return new PolicyRule { Verbs = List(parts[0]), NonResourceUrls = List(parts[1][4..]) };
        return new PolicyRule
        {
            Verbs = List(parts[0]),
            ApiGroups = [.. parts[1].Split(',')],
            Resources = List(parts[2]),
            ResourceNames = parts.Length > 3 ? List(parts[3]) : null,
        };
    }

    private static ImmutableList<string> List(string list) => [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries)];

    [Theory]
    [InlineData("get,list||pods", "get||pods", true)]
    [InlineData("get||pods", "get,list||pods", false)]
    [InlineData("*|*|*", "delete|apps|deployments", true)]
    [InlineData("*||*", "get|apps|deployments", false)]
    [InlineData("get||pods|web", "get||pods", false)]
    [InlineData("get||pods", "get||pods|web", true)]
    [InlineData("get||pods|web,db", "get||pods|web", true)]
    [InlineData("get||pods|web", "get||pods|web,db", false)]
    [InlineData("update||*/status", "update||pods/status", true)]
    [InlineData("get||pods", "get||pods/log", false)]
    [InlineData("get||pods/log", "get||pods/log", true)]
    [InlineData("get|apps|pods", "get||pods", false)]
    [InlineData("get|url:/healthz*", "get|url:/healthz/ready", true)]
    [InlineData("get|url:/api", "get|url:/apis", false)]
    [InlineData("get||pods", "get|url:/api", false)]
    [InlineData("*|url:*", "post|url:/anything", true)]
    public void Uncovered_IsEmpty_ExactlyWhenTheHeldRuleCoversTheWantedOne(string held, string wanted, bool covered) =>
        Assert.Equal(covered, RuleCoverage.Uncovered([Rule(held)], [Rule(wanted)]).Count == 0);

    [Fact]
    public void Uncovered_ListsOnlyTheMissingAtoms_AnyHeldRuleMayCoverEach()
    {
        var missing = RuleCoverage.Uncovered([Rule("get||pods"), Rule("list||pods")], [Rule("get,list,delete||pods,secrets")]);

        Assert.Equal(["{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}", "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}",
            "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"list\"]}", "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"delete\"]}"],
            missing.Select(RuleCoverage.Describe));
    }

    [Fact]
    public void Compact_MergesTheVerbsOfOneResource_AndKeepsNamesApart()
    {
        var compacted = RuleCoverage.Compact(RuleCoverage.Breakdown(Rule("get,list||pods")).Concat(RuleCoverage.Breakdown(Rule("get,update||pods|web"))));

        Assert.Equal(["{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\" \"list\"]}", "{APIGroups:[\"\"], Resources:[\"pods\"], ResourceNames:[\"web\"], Verbs:[\"get\" \"update\"]}"],
            compacted.Select(RuleCoverage.Describe));
    }

    [Fact]
    public void NotCurrentlyHeld_IsKubesMessage_SortedOneRuleALine()
    {
        var carol = new UserInfo("carol", "", ["ops", "dev", WellKnownGroups.Authenticated]);

        var message = RbacEscalation.NotCurrentlyHeld(carol, RuleCoverage.Uncovered([], [Rule("get||secrets"), Rule("get,list||pods"), Rule("get|url:/metrics")]));

        Assert.Equal("""
            user "carol" (groups=["ops" "dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
            {APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}
            {APIGroups:[""], Resources:["secrets"], Verbs:["get"]}
            {NonResourceURLs:["/metrics"], Verbs:["get"]}
            """.ReplaceLineEndings("\n"), message);
    }
}
