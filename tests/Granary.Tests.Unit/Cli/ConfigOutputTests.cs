using System.Collections.Immutable;
using Granary.Cli.Output;
using Granary.Model;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Cli;

/// <summary>`granary get` and `granary describe` of ConfigMaps and Secrets: kube-apiserver's columns, kubectl's layout, no secret value.</summary>
public class ConfigOutputTests
{
    private static readonly ObjectMeta Meta = new() { Name = "app", Namespace = "default", CreationTimestamp = Now - TimeSpan.FromHours(2) };

    private static readonly ConfigMap ConfigMap = new()
    {
        Metadata = Meta with { Labels = Map(("tier", "web")) },
        Data = Map(("color", "blue"), ("mode", "fast")),
        BinaryData = ImmutableSortedDictionary<string, Bytes>.Empty.Add("logo.bin", new Bytes([1, 2, 3])),
    };

    private static readonly Secret Secret = new()
    {
        Metadata = Meta,
        Type = SecretTypes.Tls,
        Data = ImmutableSortedDictionary<string, Bytes>.Empty.Add("tls.crt", Bytes.FromUtf8("CERTIFICATE")).Add("tls.key", Bytes.FromUtf8("KEY")),
    };

    [Fact]
    public void Render_ConfigMaps_CountsTextAndBinaryKeys() => Assert.Equal(
        """
        NAME   DATA   AGE
        app    3      120m

        """.ReplaceLineEndings("\n"),
        ResourceTables.Render(ResourceKinds.ConfigMap, [ConfigMap], new TableOptions(), Now));

    [Fact]
    public void Render_Secrets_ShowsTypeAndKeyCount() => Assert.Equal(
        """
        NAME   TYPE                DATA   AGE
        app    kubernetes.io/tls   2      120m

        """.ReplaceLineEndings("\n"),
        ResourceTables.Render(ResourceKinds.Secret, [Secret], new TableOptions(), Now));

    [Fact]
    public void DescribeConfigMap_PrintsTextValuesAndBinarySizes() => Assert.Equal(
        """
        Name:         app
        Namespace:    default
        Labels:       tier=web
        Annotations:  <none>

        Data
        ====
        color:
        ----
        blue

        mode:
        ----
        fast


        BinaryData
        ====
        logo.bin: 3 bytes

        Events:  <none>

        """.ReplaceLineEndings("\n"),
        ConfigMapDescriber.Describe(ConfigMap, [], Now));

    [Fact]
    public void DescribeSecret_PrintsSizesOnly()
    {
        var text = SecretDescriber.Describe(Secret, Now);

        Assert.Equal(
            """
            Name:         app
            Namespace:    default
            Labels:       <none>
            Annotations:  <none>

            Type:  kubernetes.io/tls

            Data
            ====
            tls.crt:  11 bytes
            tls.key:  3 bytes

            """.ReplaceLineEndings("\n"),
            text);
        Assert.DoesNotContain("CERTIFICATE", text, StringComparison.Ordinal);
    }
}
