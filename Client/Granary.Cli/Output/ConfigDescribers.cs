using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Cli.Output;

/// <summary>`granary describe configmap`, as kubectl's ConfigMapDescriber: text values in full, binary ones by size.</summary>
internal static class ConfigMapDescriber
{
    public static string Describe(ConfigMap configMap, IReadOnlyList<Event> events, DateTimeOffset now)
    {
        var w = ConfigHeader.Write(configMap.Metadata, now);
        w.Line(0, "");
        w.Line(0, "Data");
        w.Line(0, "====");
        foreach (var (key, value) in configMap.Data ?? ImmutableSortedDictionary<string, string>.Empty)
        {
            w.Line(0, $"{key}:");
            w.Line(0, "----");
            w.Line(0, value);
            w.Line(0, "");
        }
        w.Line(0, "");
        w.Line(0, "BinaryData");
        w.Line(0, "====");
        foreach (var (key, value) in configMap.BinaryData ?? ImmutableSortedDictionary<string, Bytes>.Empty)
            w.Line(0, string.Create(CultureInfo.InvariantCulture, $"{key}: {value.Length} bytes"));
        w.Line(0, "");
        EventsDescriber.Describe(w, events);
        return w.ToString();
    }
}

/// <summary>`granary describe secret`, as kubectl's SecretDescriber, except that no value is ever shown: keys and sizes only.</summary>
internal static class SecretDescriber
{
    public static string Describe(Secret secret, DateTimeOffset now)
    {
        var w = ConfigHeader.Write(secret.Metadata, now);
        w.Line(0, "");
        w.Line(0, $"Type:\t{secret.Type}");
        w.Line(0, "");
        w.Line(0, "Data");
        w.Line(0, "====");
        foreach (var (key, value) in secret.Data ?? ImmutableSortedDictionary<string, Bytes>.Empty)
            w.Line(0, string.Create(CultureInfo.InvariantCulture, $"{key}:\t{value.Length} bytes"));
        return w.ToString();
    }
}

/// <summary>The lines both describers start with: name, namespace, labels, annotations.</summary>
internal static class ConfigHeader
{
    public static DescribeWriter Write(ObjectMeta meta, DateTimeOffset now)
    {
        var w = new DescribeWriter(now);
        w.Line(0, $"Name:\t{meta.Name}");
        w.Line(0, $"Namespace:\t{meta.Namespace}");
        w.Labels("Labels", meta.Labels);
        w.Annotations("Annotations", meta.Annotations);
        return w;
    }
}
