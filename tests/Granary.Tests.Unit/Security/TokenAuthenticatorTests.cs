using Granary.Silo.Security;

namespace Granary.Tests.Unit.Security;

public sealed class TokenAuthenticatorTests
{
    private static readonly TokenAuthenticator Tokens = new(TokenFile.Parse("token-a,alice,1\ntoken-b,bob,2,\"ops\"\n", "tokens.csv"));

    [Theory]
    [InlineData("token-a", "alice")]
    [InlineData("token-b", "bob")]
    public void Authenticate_KnownToken_IsItsUser(string token, string user) =>
        Assert.Equal(user, Tokens.Authenticate(token)?.Name);

    [Theory]
    [InlineData("token-c")]
    [InlineData("token-")]
    [InlineData("token-aa")]
    [InlineData("TOKEN-A")]
    [InlineData("")]
    public void Authenticate_UnknownToken_IsNobody(string token) =>
        Assert.Null(Tokens.Authenticate(token));

    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer abc", "abc")]
    [InlineData("  Bearer abc  ", "abc")]
    [InlineData("Bearer abc extra", "abc")]
    [InlineData("Bearer", null)]
    [InlineData("Bearer ", null)]
    [InlineData("Basic YWxpY2U6cHc=", null)]
    [InlineData("", null)]
    public void BearerToken_ReadsTheHeaderAsKubeApiserverDoes(string header, string? token) =>
        Assert.Equal(token, RequestAuthentication.BearerToken(header));
}
