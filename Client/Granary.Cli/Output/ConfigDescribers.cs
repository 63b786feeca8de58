using System.Collections.Immutable;
using System.Globalization;
using Granary.Model;

namespace Granary.Cli.Output;

/// <summary>`granary describe configmap`, as kubectl's ConfigMapDescriber: text values in full, binary ones by size.</summary>
internal static class ConfigMapDescriber
{
    public static string Describe(ConfigMap configMap, IReadOnlyList<Event> events, DateTimeOffset now)
    {
        var w = new DescribeWriter(now);
        w.Line(0, $"Name:\t{configMap.Metadata.Name}");
        w.Line(0, $"Namespace:\t{configMap.Metadata.Namespace}");
        w.Labels("Labels", configMap.Metadata.Labels);
        w.Annotations("Annotations", configMap.Metadata.Annotations);
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
        var w = new DescribeWriter(now);
        w.Line(0, $"Name:\t{secret.Metadata.Name}");
        w.Line(0, $"Namespace:\t{secret.Metadata.Namespace}");
        w.Labels("Labels", secret.Metadata.Labels);
        w.Annotations("Annotations", secret.Metadata.Annotations);
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
