using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Granary.Grains.ServiceAccounts;

namespace Granary.Tests.Unit.ServiceAccounts;

public sealed class ServiceAccountJwtTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private readonly TokenSigningKey _key = TokenSigningKey.Generate();

    private static ServiceAccountClaims Claims(BoundObject? pod = null) => new(
        ServiceAccountTokenOptions.DefaultIssuer, [ServiceAccountTokenOptions.DefaultIssuer], Now, Now.AddHours(1), "jti-1", "team-a",
        new BoundObject("builder", "sa-uid"), pod, null);

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Encode_WritesKubesClaims_AndDecodeReadsThemBack()
    {
        var token = ServiceAccountJwt.Encode(Claims(new BoundObject("web-1", "pod-uid")), _key);
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Split('.')[1]));

        var decoded = ServiceAccountJwt.Decode(token, [_key], out var problem);

        Assert.Equal(
            $$$"""{"aud":["https://kubernetes.default.svc.cluster.local"],"exp":{{{Now.AddHours(1).ToUnixTimeSeconds()}}},"iat":{{{Now.ToUnixTimeSeconds()}}},"iss":"https://kubernetes.default.svc.cluster.local","jti":"jti-1","kubernetes.io":{"namespace":"team-a","pod":{"name":"web-1","uid":"pod-uid"},"serviceaccount":{"name":"builder","uid":"sa-uid"}},"nbf":{{{Now.ToUnixTimeSeconds()}}},"sub":"system:serviceaccount:team-a:builder"}""",
            payload);
        Assert.Null(problem);
        var expected = Claims(new BoundObject("web-1", "pod-uid"));
        Assert.Equal(expected, decoded! with { Audiences = expected.Audiences });
        Assert.Equal(["https://kubernetes.default.svc.cluster.local"], decoded.Audiences);
        Assert.Equal($$"""{"alg":"RS256","kid":"{{_key.KeyId}}"}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Split('.')[0])));
    }

    [Fact]
    public void Decode_TokenOfAnotherKey_IsRefused()
    {
        using var other = TokenSigningKey.Generate();
        var token = ServiceAccountJwt.Encode(Claims(), other);

        Assert.Null(ServiceAccountJwt.Decode(token, [_key], out var problem));
        Assert.Equal("the signature is not one of the trusted keys'", problem);
    }

    [Fact]
    public void Decode_ChangedPayload_IsRefused()
    {
        var parts = ServiceAccountJwt.Encode(Claims(), _key).Split('.');
        var forged = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("builder", "admin!!", StringComparison.Ordinal);
        var token = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(forged))}.{parts[2]}";

        Assert.Null(ServiceAccountJwt.Decode(token, [_key], out var problem));
        Assert.Equal("the signature is not one of the trusted keys'", problem);
    }

    [Theory]
    [InlineData("""{"alg":"none"}""", "algorithm none is not accepted")]
    [InlineData("""{"alg":"HS256"}""", "algorithm HS256 is not accepted")]
    [InlineData("""{"typ":"JWT"}""", "algorithm (none) is not accepted")]
    public void Decode_AlgorithmOtherThanTheKeys_IsRefused(string header, string expected)
    {
        var parts = ServiceAccountJwt.Encode(Claims(), _key).Split('.');
        var token = $"{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header))}.{parts[1]}.{parts[2]}";

        Assert.Null(ServiceAccountJwt.Decode(token, [_key], out var problem));
        Assert.Equal(expected, problem);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("eyJ.!!.x")]
    [InlineData("...")]
    public void Decode_Malformed_IsRefusedWithoutThrowing(string token) =>
        Assert.Null(ServiceAccountJwt.Decode(token, [_key], out _));

    [Fact]
    public void EcKeyFromPem_SignsEs256_AndItsPublicKeyVerifies()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signing = TokenSigningKey.FromPem(ec.ExportECPrivateKeyPem(), requirePrivate: true, "test");
        using var verifying = TokenSigningKey.FromPem(signing.PublicKeyPem, requirePrivate: false, "test");
        var token = ServiceAccountJwt.Encode(Claims(), signing);

        Assert.Equal("ES256", signing.Algorithm);
        Assert.Equal(signing.KeyId, verifying.KeyId);
        Assert.NotNull(ServiceAccountJwt.Decode(token, [verifying], out _));
    }

    [Fact]
    public void FromPem_PublicKeyWhereAPrivateOneIsNeeded_SaysSo()
    {
        var error = Assert.Throws<ArgumentException>(() => TokenSigningKey.FromPem(_key.PublicKeyPem, requirePrivate: true, "/etc/sa.pub"));

        Assert.StartsWith("/etc/sa.pub holds no private key", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(2879, false)] // 3600 s token: refreshed at 80 %, 2880 s
    [InlineData(2880, true)]
    [InlineData(3601, true)]
    public void NeedsRefresh_AtEightyPercentOfTheLifetime(int secondsLater, bool expected) =>
        Assert.Equal(expected, Granary.NodeAgent.Volumes.ServiceAccountTokenManager.NeedsRefresh(Now, Now.AddHours(1), Now.AddSeconds(secondsLater)));

    [Fact]
    public void NeedsRefresh_LongTokens_AfterADay() =>
        Assert.True(Granary.NodeAgent.Volumes.ServiceAccountTokenManager.NeedsRefresh(Now, Now.AddDays(365), Now.AddHours(24)));
}
