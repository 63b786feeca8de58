using System.Globalization;

namespace Granary.Bench;

/// <summary>
/// One read of a silo's /metrics (Prometheus text format): each sample by its name with labels, exactly as written,
/// e.g. <c>granary_watch_cache_history_bytes{resource="pods"}</c>. Empty when the silo serves no /metrics.
/// </summary>
internal sealed class SiloMetrics(IReadOnlyDictionary<string, double> samples)
{
    public static readonly SiloMetrics None = new(new Dictionary<string, double>());

    public double? this[string name] => samples.TryGetValue(name, out var v) ? v : null;

    public bool IsEmpty => samples.Count == 0;

    /// <summary>
    /// The sum of every sample of <paramref name="name"/> whatever its other labels (e.g. all counters of one
    /// instrument), only those that carry <paramref name="label"/> (written as in the text, <c>key="value"</c>) when given.
    /// </summary>
    public double Sum(string name, string? label = null) =>
        samples.Where(s => s.Key.StartsWith(name, StringComparison.Ordinal) && (s.Key.Length == name.Length || s.Key[name.Length] == '{')
                && (label is null || s.Key.Contains(label, StringComparison.Ordinal)))
            .Sum(s => s.Value);

    public static async Task<SiloMetrics> ReadAsync(HttpClient http, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync("/metrics", ct);
            return response.IsSuccessStatusCode ? Parse(await response.Content.ReadAsStringAsync(ct)) : None;
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return None;
        }
    }

    public static SiloMetrics Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            // NAME{LABELS} VALUE [TIMESTAMP]: the key is the name with its labels as written, and a bare name without labels
            // (OpenTelemetry's exporter writes "name{} value").
            var end = line.IndexOf('}', StringComparison.Ordinal) is var close and >= 0 ? close + 1 : line.IndexOf(' ', StringComparison.Ordinal);
            if (end > 0 && double.TryParse(line[end..].Trim().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                samples[line[..end] is var key && key.EndsWith("{}", StringComparison.Ordinal) ? key[..^2] : key] = value;
        }
        return new SiloMetrics(samples);
    }
}
