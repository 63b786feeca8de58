using System.Collections.Immutable;
using Granary.Grains.Security;
using Granary.Grains.Security.Rbac;
using Granary.Model;

namespace Granary.Tests.Unit.Security.Rbac;

public sealed class RuleMatchingTests
{
    private static readonly UserInfo Jane = new("jane", "", [WellKnownGroups.Authenticated]);

    private static PolicyRule Rule(string verbs, string groups, string resources, string names = "") => new()
    {
        Verbs = Split(verbs),
        ApiGroups = Split(groups, keepEmpty: true),
        Resources = Split(resources),
        ResourceNames = names.Length == 0 ? null : Split(names),
    };

    private static ImmutableList<string> Split(string list, bool keepEmpty = false) =>
        [.. list.Split(',').Where(s => keepEmpty || s.Length > 0)];

    private static AuthorizationAttributes Request(string verb, string group, string resource, string subresource = "", string name = "") =>
        new() { User = Jane, Verb = verb, ApiGroup = group, Resource = resource, Subresource = subresource, Namespace = "default", Name = name };

    [Theory]
    [InlineData("get,list", "", "pods", "get", "", "pods", "", true)]
    [InlineData("get,list", "", "pods", "watch", "", "pods", "", false)]
    [InlineData("*", "", "pods", "deletecollection", "", "pods", "", true)]
    [InlineData("get", "", "pods", "get", "apps", "pods", "", false)]
    [InlineData("get", "*", "pods", "get", "apps", "pods", "", true)]
    [InlineData("get", "", "*", "get", "", "secrets", "", true)]
    [InlineData("get", "", "pods", "get", "", "pods", "log", false)]
    [InlineData("get", "", "pods/log", "get", "", "pods", "log", true)]
    [InlineData("get", "", "pods/log", "get", "", "pods", "", false)]
    [InlineData("get", "", "*/log", "get", "", "pods", "log", true)]
    [InlineData("get", "", "*", "get", "", "pods", "log", true)]
    [InlineData("update", "apps", "*/scale", "update", "apps", "deployments", "scale", true)]
    [InlineData("update", "apps", "*/scale", "update", "apps", "deployments", "status", false)]
    public void Allows_MatchesVerbsGroupsAndResources(string verbs, string groups, string resources, string verb, string group, string resource, string subresource, bool allowed) =>
        Assert.Equal(allowed, RuleMatching.Allows(Rule(verbs, groups, resources), Request(verb, group, resource, subresource)));

    [Theory]
    [InlineData("web", "web", true)]
    [InlineData("web", "db", false)]
    [InlineData("web,db", "db", true)]
    [InlineData("web", "", false)]
    public void ResourceNames_LimitTheRuleToThoseObjects(string names, string requested, bool allowed) =>
        Assert.Equal(allowed, RuleMatching.Allows(Rule("get", "", "configmaps", names), Request("get", "", "configmaps", name: requested)));

    [Theory]
    [InlineData("/healthz", "/healthz", true)]
    [InlineData("/healthz", "/healthz/etcd", false)]
    [InlineData("/healthz/*", "/healthz/etcd", true)]
    [InlineData("/api/*", "/api", false)]
    [InlineData("/api/*", "/api/v1", true)]
    [InlineData("/api*", "/apis/apps", true)]
    [InlineData("*", "/anything", true)]
    public void NonResourceUrls_MatchExactlyOrByTrailingStar(string url, string path, bool allowed)
    {
        var rule = new PolicyRule { Verbs = ["get"], NonResourceUrls = [url] };

        Assert.Equal(allowed, RuleMatching.Allows(rule, new AuthorizationAttributes { User = Jane, Verb = "get", IsResourceRequest = false, Path = path }));
    }

    [Fact]
    public void NonResourceRule_NeverMatchesAResourceRequest()
    {
        var rule = new PolicyRule { Verbs = ["*"], NonResourceUrls = ["*"] };

        Assert.False(RuleMatching.Allows(rule, Request("get", "", "pods")));
    }

    [Fact]
    public void ResourceRule_NeverMatchesANonResourceRequest() =>
        Assert.False(RuleMatching.Allows(Rule("*", "*", "*"), new AuthorizationAttributes { User = Jane, Verb = "get", IsResourceRequest = false, Path = "/api" }));
}
