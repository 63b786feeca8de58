using System.Collections.Immutable;
using System.Text;
using Granary.Model;
using Granary.NodeAgent.Images;

namespace Granary.Tests.Unit.NodeAgent.Images;

/// <summary>imagePullSecrets to credentials, matched as the kubelet's keyring does.</summary>
public sealed class RegistryKeyringTests
{
    private static Secret DockerConfigJson(string json) => new()
    {
        Type = SecretTypes.DockerConfigJson,
        Data = ImmutableSortedDictionary<string, Bytes>.Empty.Add(SecretTypes.DockerConfigJsonKey, Bytes.FromUtf8(json)),
    };

    private static Secret DockerCfg(string json) => new()
    {
        Type = SecretTypes.DockerConfig,
        Data = ImmutableSortedDictionary<string, Bytes>.Empty.Add(SecretTypes.DockerConfigKey, Bytes.FromUtf8(json)),
    };

    private static string Auth(string user, string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    [Theory]
    [InlineData("127.0.0.1:5000/app:1", "127.0.0.1:5000", true)]
    [InlineData("127.0.0.1:5000/team/app@sha256:abc", "http://127.0.0.1:5000", true)]
    [InlineData("127.0.0.1:5001/app:1", "127.0.0.1:5000", false)] // another port
    [InlineData("127.0.0.1/app:1", "127.0.0.1:5000", false)] // no port is not port 5000
    [InlineData("127.0.0.1:5000/team/app:1", "127.0.0.1:5000/team", true)]
    [InlineData("127.0.0.1:5000/teams/app:1", "127.0.0.1:5000/team", false)] // a path prefix is whole elements
    [InlineData("registry.example.com/app", "*.example.com", true)]
    [InlineData("a.b.example.com/app", "*.example.com", false)] // one glob is one label
    [InlineData("busybox", "https://index.docker.io/v1/", true)]
    [InlineData("library/busybox:1", "docker.io", true)]
    [InlineData("localhost:5000/app", "localhost:5000", true)]
    [InlineData("local/busybox:1", "127.0.0.1:5000", false)] // no registry host: docker.io
    public void Lookup_MatchesByHostPortAndPath(string image, string location, bool matches)
    {
        var keyring = RegistryKeyring.From([DockerConfigJson("""{"auths":{"LOCATION":{"username":"u","password":"p"}}}""".Replace("LOCATION", location, StringComparison.Ordinal))]);

        Assert.Equal(matches ? 1 : 0, keyring.Lookup(image).Count);
    }

    [Fact]
    public void From_DockerConfigJson_ReadsUsernamePassword_OrAuth()
    {
        var keyring = RegistryKeyring.From([DockerConfigJson("""
            {"auths":{
              "127.0.0.1:5000":{"auth":"AUTH"},
              "127.0.0.1:5001":{"username":"alice","password":"pw","email":"a@example.com"}}}
            """.Replace("AUTH", Auth("robot", "s3:cret"), StringComparison.Ordinal))]);

        var viaAuth = Assert.Single(keyring.Lookup("127.0.0.1:5000/app"));
        var direct = Assert.Single(keyring.Lookup("127.0.0.1:5001/app"));

        Assert.Equal(("robot", "s3:cret", "127.0.0.1:5000"), (viaAuth.Username, viaAuth.Password, viaAuth.ServerAddress));
        Assert.Equal(("alice", "pw", "a@example.com"), (direct.Username, direct.Password, direct.Email));
    }

    [Fact]
    public void From_DockerCfg_IsTheAuthsMapItself()
    {
        var keyring = RegistryKeyring.From([DockerCfg($$$"""{"127.0.0.1:5000":{"auth":"{{{Auth("bob", "x")}}}"}}""")]);

        Assert.Equal("bob", Assert.Single(keyring.Lookup("127.0.0.1:5000/app:1")).Username);
    }

    [Fact]
    public void Lookup_MostSpecificKeyFirst_AcrossSecrets()
    {
        var keyring = RegistryKeyring.From([
            DockerConfigJson("""{"auths":{"127.0.0.1:5000":{"username":"general","password":"p"}}}"""),
            DockerConfigJson("""{"auths":{"127.0.0.1:5000/team":{"username":"team","password":"p"}}}"""),
        ]);

        Assert.Equal(["team", "general"], keyring.Lookup("127.0.0.1:5000/team/app").Select(c => c.Username));
    }

    [Fact]
    public void From_OtherTypesMalformedOrEmptyEntries_GiveNoCredentials()
    {
        var keyring = RegistryKeyring.From([
            new Secret { Type = SecretTypes.Opaque, Data = ImmutableSortedDictionary<string, Bytes>.Empty.Add(SecretTypes.DockerConfigJsonKey, Bytes.FromUtf8("""{"auths":{"127.0.0.1:5000":{"username":"u"}}}""")) },
            DockerConfigJson("{not json"),
            DockerConfigJson("""{"auths":{"127.0.0.1:5000":{"auth":"%%%"}}}"""),
            DockerConfigJson("""{"auths":{"127.0.0.1:5000":{}}}"""),
        ]);

        Assert.Empty(keyring.Lookup("127.0.0.1:5000/app"));
    }

    [Fact]
    public void Credential_ToString_NeverShowsThePassword()
    {
        var credential = Assert.Single(RegistryKeyring.From([DockerConfigJson("""{"auths":{"127.0.0.1:5000":{"username":"u","password":"hunter2"}}}""")]).Lookup("127.0.0.1:5000/a"));

        Assert.DoesNotContain("hunter2", credential.ToString(), StringComparison.Ordinal);
    }
}
