using Granary.Grains.Security;

namespace Granary.Tests.Unit.Security.Rbac;

public sealed class AuthorizerChainTests
{
    private static readonly AuthorizationAttributes Request = new() { User = new UserInfo("jane", "", [WellKnownGroups.Authenticated]), Verb = "get", Resource = "pods" };

    private sealed class Fixed(AuthorizationDecision decision, string reason = "") : IAuthorizer
    {
        public int Calls { get; private set; }

        public ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken cancellationToken = default)
        {
            Calls++;
            return ValueTask.FromResult(new AuthorizationResult(decision, reason));
        }
    }

    [Fact]
    public async Task FirstAllow_Wins_AndLaterAuthorizersAreNotAsked()
    {
        var later = new Fixed(AuthorizationDecision.Deny);
        var result = await new AuthorizerChain(new Fixed(AuthorizationDecision.NoOpinion), new Fixed(AuthorizationDecision.Allow, "yes"), later).AuthorizeAsync(Request);

        Assert.Equal(AuthorizationDecision.Allow, result.Decision);
        Assert.Equal("yes", result.Reason);
        Assert.Equal(0, later.Calls);
    }

    [Fact]
    public async Task FirstDeny_Wins()
    {
        var result = await new AuthorizerChain(new Fixed(AuthorizationDecision.Deny, "node may not"), new Fixed(AuthorizationDecision.Allow)).AuthorizeAsync(Request);

        Assert.Equal(AuthorizationDecision.Deny, result.Decision);
        Assert.Equal("node may not", result.Reason);
    }

    [Fact]
    public async Task AllNoOpinion_Denies_WithTheReasonsGiven()
    {
        var result = await new AuthorizerChain(new Fixed(AuthorizationDecision.NoOpinion, "a"), new Fixed(AuthorizationDecision.NoOpinion), new Fixed(AuthorizationDecision.NoOpinion, "b")).AuthorizeAsync(Request);

        Assert.Equal(AuthorizationDecision.Deny, result.Decision);
        Assert.Equal("a, b", result.Reason);
    }

    [Fact]
    public async Task SystemMasters_AreAllowed_OthersGetNoOpinion()
    {
        var masters = new SystemMastersAuthorizer();

        Assert.True((await masters.AuthorizeAsync(Request with { User = new UserInfo("root", "", [WellKnownGroups.Masters]) })).Allowed);
        Assert.Equal(AuthorizationDecision.NoOpinion, (await masters.AuthorizeAsync(Request)).Decision);
    }
}
