using System.Globalization;

namespace Granary.Tests.Integration.Observability;

/// <summary>
/// One scrape of a /metrics page (Prometheus text format), parsed into samples: a name, its labels and its value
/// (a timestamp after the value, if any, is ignored). Lookups name the labels that matter; others may be present.
/// </summary>
public sealed class PrometheusText(IReadOnlyList<PrometheusText.Sample> samples, string text)
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public string Text => text;

    public IReadOnlyList<Sample> Samples => samples;

    public static PrometheusText Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            string name;
            string rest;
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (brace >= 0 && brace < space)
            {
                name = line[..brace];
                var close = line.LastIndexOf('}');
                foreach (var pair in SplitLabels(line[(brace + 1)..close]))
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    labels[pair[..eq]] = pair[(eq + 2)..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
                }
                rest = line[(close + 1)..].Trim();
            }
            else
            {
                name = line[..space];
                rest = line[(space + 1)..].Trim();
            }
            var value = rest.Split(' ')[0];
            samples.Add(new Sample(name, labels, value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(value, CultureInfo.InvariantCulture),
            }));
        }
        return new PrometheusText(samples, text);
    }

    /// <summary>The samples of <paramref name="name"/> whose labels include all of <paramref name="labels"/> ("key=value").</summary>
    public IEnumerable<Sample> Find(string name, params string[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l =>
        {
            var eq = l.IndexOf('=', StringComparison.Ordinal);
            return s.Labels.TryGetValue(l[..eq], out var v) && v == l[(eq + 1)..];
        }));

    /// <summary>The sum of the matching samples' values; 0 when none matches.</summary>
    public double Sum(string name, params string[] labels) => Find(name, labels).Sum(s => s.Value);

    public bool Has(string name, params string[] labels) => Find(name, labels).Any();

    /// <summary>The lines of the page that mention <paramref name="part"/>, for failure messages.</summary>
    public string Lines(string part) => string.Join('\n', text.Split('\n').Where(l => l.Contains(part, StringComparison.Ordinal) && l[0] != '#').Take(40));

    private static IEnumerable<string> SplitLabels(string labels)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] == '"' && (i == 0 || labels[i - 1] != '\\'))
                quoted = !quoted;
            else if (labels[i] == ',' && !quoted)
            {
                yield return labels[start..i];
                start = i + 1;
            }
        }
        if (start < labels.Length)
            yield return labels[start..];
    }
}
