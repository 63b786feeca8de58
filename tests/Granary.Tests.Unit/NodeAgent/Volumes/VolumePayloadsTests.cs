using System.Collections.Immutable;
using System.Text;
using Granary.Model;
using Granary.NodeAgent.Volumes;

namespace Granary.Tests.Unit.NodeAgent.Volumes;

/// <summary>The files of configMap, secret, downwardAPI and projected volumes, as the kubelet makes them.</summary>
public sealed class VolumePayloadsTests
{
    private static readonly ImmutableSortedDictionary<string, Quantity> Allocatable = ImmutableSortedDictionary<string, Quantity>.Empty.Add("cpu", new Quantity("2"));

    private readonly ConfigLookup _config = new ConfigLookup().WithConfigMap("game", ("lives", "3"), ("ui.properties", "color=blue")).WithSecret("db", ("password", "s3cret"));

    private static readonly Pod Pod = new()
    {
        Metadata = new ObjectMeta
        {
            Name = "web", Namespace = "default", Uid = "u1",
            Labels = ImmutableSortedDictionary<string, string>.Empty.Add("tier", "front").Add("app", "web"),
            Annotations = ImmutableSortedDictionary<string, string>.Empty.Add("note", "say \"hi\""),
        },
        Spec = new PodSpec { Containers = [new Container { Name = "main", Resources = new ResourceRequirements { Limits = ImmutableSortedDictionary<string, Quantity>.Empty.Add("cpu", new Quantity("500m")) } }] },
    };

    private static Dictionary<string, (string Text, int Mode)> Read(Dictionary<string, FileProjection> payload) =>
        payload.ToDictionary(p => p.Key, p => (Encoding.UTF8.GetString(p.Value.Data), p.Value.Mode));

    [Fact]
    public void ConfigMap_WithoutItems_EveryKeyWithTheDefaultMode0644()
    {
        var files = Read(VolumePayloads.ConfigMap(new ConfigMapVolumeSource { Name = "game" }, "default", _config));

        Assert.Equal(new Dictionary<string, (string, int)> { ["lives"] = ("3", 420), ["ui.properties"] = ("color=blue", 420) }, files);
    }

    [Fact]
    public void ConfigMap_Items_ChooseKeysPathsAndModes()
    {
        var files = Read(VolumePayloads.ConfigMap(new ConfigMapVolumeSource
        {
            Name = "game",
            DefaultMode = 0b100_000_000,
            Items = [new KeyToPath { Key = "lives", Path = "conf/lives.txt" }, new KeyToPath { Key = "ui.properties", Path = "ui", Mode = 0b111_101_101 }],
        }, "default", _config));

        Assert.Equal(new Dictionary<string, (string, int)> { ["conf/lives.txt"] = ("3", 256), ["ui"] = ("color=blue", 493) }, files);
    }

    [Theory]
    [InlineData("missing", "lives", false, "configmap \"missing\" not found")]
    [InlineData("game", "nope", false, "configmap references non-existent config key: nope")]
    public void ConfigMap_MissingObjectOrKey_FailsWithKubesMessage(string name, string key, bool optional, string message)
    {
        var source = new ConfigMapVolumeSource { Name = name, Optional = optional, Items = [new KeyToPath { Key = key, Path = "f" }] };

        Assert.Equal(message, Assert.Throws<VolumeMountException>(() => VolumePayloads.ConfigMap(source, "default", _config)).Message);
    }

    [Fact]
    public void ConfigMapAndSecret_Optional_MissingGivesAnEmptyVolume()
    {
        Assert.Empty(VolumePayloads.ConfigMap(new ConfigMapVolumeSource { Name = "missing", Optional = true }, "default", _config));
        Assert.Empty(VolumePayloads.Secret(new SecretVolumeSource { SecretName = "db", Optional = true, Items = [new KeyToPath { Key = "nope", Path = "x" }] }, "default", _config));
    }

    [Fact]
    public void Secret_IsTheDecodedBytes_MissingOnesWithKubesMessage()
    {
        Assert.Equal(("s3cret", 420), Read(VolumePayloads.Secret(new SecretVolumeSource { SecretName = "db" }, "default", _config))["password"]);
        Assert.Equal("secret \"nope\" not found", Assert.Throws<VolumeMountException>(() => VolumePayloads.Secret(new SecretVolumeSource { SecretName = "nope" }, "default", _config)).Message);
        Assert.Equal("references non-existent secret key: user", Assert.Throws<VolumeMountException>(() =>
            VolumePayloads.Secret(new SecretVolumeSource { SecretName = "db", Items = [new KeyToPath { Key = "user", Path = "u" }] }, "default", _config)).Message);
    }

    [Fact]
    public void DownwardApi_FieldsLabelsAndResources()
    {
        var files = Read(VolumePayloads.DownwardApi([
            new DownwardAPIVolumeFile { Path = "name", FieldRef = new ObjectFieldSelector { FieldPath = "metadata.name" } },
            new DownwardAPIVolumeFile { Path = "labels", FieldRef = new ObjectFieldSelector { FieldPath = "metadata.labels" } },
            new DownwardAPIVolumeFile { Path = "annotations", FieldRef = new ObjectFieldSelector { FieldPath = "metadata.annotations" }, Mode = 256 },
            new DownwardAPIVolumeFile { Path = "cpu", ResourceFieldRef = new ResourceFieldSelector { ContainerName = "main", Resource = "limits.cpu", Divisor = new Quantity("1m") } },
        ], VolumePayloads.DefaultMode, Pod, "127.1.1.2", "127.0.0.1", Allocatable));

        Assert.Equal(("web", 420), files["name"]);
        Assert.Equal("app=\"web\"\ntier=\"front\"", files["labels"].Text);
        Assert.Equal(("note=\"say \\\"hi\\\"\"", 256), files["annotations"]);
        Assert.Equal("500", files["cpu"].Text);
    }

    [Fact]
    public void Projected_MergesItsSourcesInOrder()
    {
        var files = Read(VolumePayloads.Projected(new ProjectedVolumeSource
        {
            DefaultMode = 0b110_000_000,
            Sources =
            [
                new VolumeProjection { ConfigMap = new ConfigMapProjection { Name = "game", Items = [new KeyToPath { Key = "lives", Path = "lives" }] } },
                new VolumeProjection { Secret = new SecretProjection { Name = "db" } },
                new VolumeProjection { DownwardAPI = new DownwardAPIProjection { Items = [new DownwardAPIVolumeFile { Path = "ns", FieldRef = new ObjectFieldSelector { FieldPath = "metadata.namespace" } }] } },
            ],
        }, Pod, "127.1.1.2", "127.0.0.1", _config, Allocatable));

        Assert.Equal(new Dictionary<string, (string, int)> { ["lives"] = ("3", 384), ["password"] = ("s3cret", 384), ["ns"] = ("default", 384) }, files);
    }

    [Fact]
    public void Projected_ServiceAccountToken_IsWrittenFromTheFetchedTokens()
    {
        var files = Read(VolumePayloads.Projected(new ProjectedVolumeSource
        {
            DefaultMode = 420,
            Sources = [new VolumeProjection { ServiceAccountToken = new ServiceAccountTokenProjection { Path = "token", ExpirationSeconds = 3607 } }],
        }, Pod, "127.1.1.2", "127.0.0.1", _config, Allocatable, new Dictionary<string, byte[]> { ["token"] = "eyJ.a.b"u8.ToArray() }));

        Assert.Equal(new Dictionary<string, (string, int)> { ["token"] = ("eyJ.a.b", 420) }, files);
    }

    [Fact]
    public void Projected_ServiceAccountTokenNotFetched_FailsTheMountSayingSo()
    {
        var error = Assert.Throws<VolumeMountException>(() => VolumePayloads.Projected(new ProjectedVolumeSource
        {
            Sources = [new VolumeProjection { ServiceAccountToken = new ServiceAccountTokenProjection { Path = "token" } }],
        }, Pod, "127.1.1.2", "127.0.0.1", _config, Allocatable));

        Assert.Equal("the token of the serviceAccountToken projection \"token\" was not fetched from the control plane", error.Message);
    }
}
