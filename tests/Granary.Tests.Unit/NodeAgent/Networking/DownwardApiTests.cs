using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Networking;

namespace Granary.Tests.Unit.NodeAgent.Networking;

public class DownwardApiTests
{
    private static readonly Pod Pod = new()
    {
        Metadata = new()
        {
            Name = "web-0",
            Namespace = "shop",
            Uid = "0b6f5a7e-1111",
            Labels = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string> { ["app"] = "web", ["app.kubernetes.io/tier"] = "front" }),
            Annotations = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string> { ["owner"] = "team-a" }),
        },
        Spec = new() { NodeName = "worker-1" },
    };

    private static string Resolve(string path, string? apiVersion = null) =>
        DownwardApi.Resolve(new ObjectFieldSelector { FieldPath = path, ApiVersion = apiVersion }, Pod, "127.1.1.2", "127.0.0.11");

    [Theory]
    [InlineData("metadata.name", "web-0")]
    [InlineData("metadata.namespace", "shop")]
    [InlineData("metadata.uid", "0b6f5a7e-1111")]
    [InlineData("metadata.labels['app']", "web")]
    [InlineData("metadata.labels['app.kubernetes.io/tier']", "front")]
    [InlineData("metadata.labels['missing']", "")]
    [InlineData("metadata.annotations['owner']", "team-a")]
    [InlineData("metadata.annotations['missing']", "")]
    [InlineData("spec.nodeName", "worker-1")]
    [InlineData("spec.serviceAccountName", "")]
    [InlineData("status.podIP", "127.1.1.2")]
    [InlineData("status.podIPs", "127.1.1.2")]
    [InlineData("status.hostIP", "127.0.0.11")]
    [InlineData("status.hostIPs", "127.0.0.11")]
    public void Resolve_SupportedPath_PodsValue(string path, string expected)
    {
        Assert.Equal(expected, Resolve(path));
        Assert.Equal(expected, Resolve(path, "v1"));
    }

    [Fact]
    public void Resolve_PodWithoutLabelsOrNode_Empty()
    {
        var bare = new Pod { Metadata = new() { Name = "p" } };

        Assert.Equal("", DownwardApi.Resolve(new() { FieldPath = "metadata.labels['app']" }, bare, "127.1.1.2", "127.0.0.11"));
        Assert.Equal("", DownwardApi.Resolve(new() { FieldPath = "metadata.annotations['a']" }, bare, "127.1.1.2", "127.0.0.11"));
        Assert.Equal("", DownwardApi.Resolve(new() { FieldPath = "spec.nodeName" }, bare, "127.1.1.2", "127.0.0.11"));
        Assert.Equal("", DownwardApi.Resolve(new() { FieldPath = "metadata.namespace" }, bare, "127.1.1.2", "127.0.0.11"));
    }

    [Theory]
    [InlineData("metadata.generateName")]
    [InlineData("metadata.labels")]
    [InlineData("metadata.labels['']")]
    [InlineData("metadata.labels[\"app\"]")]
    [InlineData("status.phase")]
    [InlineData("spec.containers[0].image")]
    [InlineData("")]
    public void Resolve_UnsupportedPath_SaysWhichAndWhatIsSupported(string path)
    {
        var e = Assert.Throws<DownwardApiException>(() => Resolve(path));

        Assert.Equal(
            $"unsupported fieldPath: {path} (supported: metadata.name, metadata.namespace, metadata.uid, metadata.labels['<key>'], "
            + "metadata.annotations['<key>'], spec.nodeName, spec.serviceAccountName, status.podIP, status.podIPs, status.hostIP, status.hostIPs)",
            e.Message);
    }

    [Fact]
    public void Resolve_OtherApiVersion_Refused()
    {
        var e = Assert.Throws<DownwardApiException>(() => Resolve("metadata.name", "v2"));

        Assert.Equal("unsupported apiVersion \"v2\" in fieldRef metadata.name: only v1 is supported", e.Message);
    }
}
