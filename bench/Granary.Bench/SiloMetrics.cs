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
            var space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                samples[line[..space]] = value;
        }
        return new SiloMetrics(samples);
    }
}
