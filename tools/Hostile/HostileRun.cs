using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Granary.Hostile;

/// <summary>
/// Sends a corpus to a target, several at a time, and judges every answer: a 4xx whose body is a Kubernetes Status
/// with the same code and a message (kube-apiserver's answer to a bad request); never a 5xx, never no answer, and a
/// 2xx only where kube-apiserver accepts the request too. Slow clients run beside it (<see cref="SlowClients"/>).
/// </summary>
public static class HostileRun
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    public static async Task<IReadOnlyList<HostileOutcome>> RunAsync(HostileTarget target, IReadOnlyList<HostileRequest> requests, int parallelism, CancellationToken ct)
    {
        var outcomes = new ConcurrentBag<HostileOutcome>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (request, token) =>
        {
            var response = await target.SendAsync(request, RequestTimeout, token);
            outcomes.Add(new HostileOutcome(request, response.StatusCode, Judge(request, response)));
        });
        return [.. outcomes.OrderBy(o => o.Request.Category, StringComparer.Ordinal)];
    }

    /// <summary>Sends setup or teardown requests; any answer but the expected ones is an error.</summary>
    public static async Task EnsureAsync(HostileTarget target, IEnumerable<HostileRequest> requests, int[] expected, CancellationToken ct)
    {
        foreach (var request in requests)
        {
            var response = await target.SendAsync(request, RequestTimeout, ct);
            if (!expected.Contains(response.StatusCode))
                throw new InvalidOperationException($"{request.Category} ({request.Description}): {request.Method} {request.Path} answered {response.StatusCode} {response.Failure}{response.Body}");
        }
    }

    /// <summary>Why an answer is wrong, or null when it is right.</summary>
    public static string? Judge(HostileRequest request, HostileResponse response)
    {
        if (response.StatusCode == 0)
            return response.Failure ?? "no answer";
        var status = response.Status();
        if (response.StatusCode >= 500)
            return $"server error {response.StatusCode}: {status?.Message ?? response.Body}";
        if (response.StatusCode < 400)
            return request.MaySucceed ? null : $"accepted ({response.StatusCode}) where kube-apiserver refuses it";
        if (status is null)
            return request.StatusBodyOptional ? null : $"{response.StatusCode} without a Kubernetes Status body: {Clip(response.Body)}";
        if (status.Value.Code != response.StatusCode)
            return $"Status code {status.Value.Code} differs from the HTTP status {response.StatusCode}";
        if (string.IsNullOrWhiteSpace(status.Value.Message))
            return $"{response.StatusCode} {status.Value.Reason} Status without a message";
        return null;
    }

    /// <summary>The table: one row per category, one column per status code, and the wrong answers' count.</summary>
    public static string Summary(IReadOnlyList<HostileOutcome> outcomes)
    {
        var columns = outcomes.Select(o => o.Column).Distinct().OrderBy(c => c == "none" ? 999 : int.Parse(c, CultureInfo.InvariantCulture)).ToList();
        var rows = outcomes.GroupBy(o => o.Request.Category).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var width = Math.Max(8, rows.Count == 0 ? 8 : rows.Max(r => r.Key.Length));
        var text = new StringBuilder();
        text.Append("category".PadRight(width));
        foreach (var column in columns)
            text.Append(column.PadLeft(6));
        text.Append("  total  wrong\n");
        foreach (var row in rows)
        {
            text.Append(row.Key.PadRight(width));
            foreach (var column in columns)
                text.Append(row.Count(o => o.Column == column).ToString(CultureInfo.InvariantCulture).PadLeft(6));
            text.Append(row.Count().ToString(CultureInfo.InvariantCulture).PadLeft(7));
            text.Append(row.Count(o => o.Problem is not null).ToString(CultureInfo.InvariantCulture).PadLeft(7)).Append('\n');
        }
        text.Append("total".PadRight(width));
        foreach (var column in columns)
            text.Append(outcomes.Count(o => o.Column == column).ToString(CultureInfo.InvariantCulture).PadLeft(6));
        text.Append(outcomes.Count.ToString(CultureInfo.InvariantCulture).PadLeft(7));
        text.Append(outcomes.Count(o => o.Problem is not null).ToString(CultureInfo.InvariantCulture).PadLeft(7)).Append('\n');
        return text.ToString();
    }

    /// <summary>The wrong answers, one line each (at most <paramref name="max"/>).</summary>
    public static string Problems(IReadOnlyList<HostileOutcome> outcomes, int max = 400)
    {
        var wrong = outcomes.Where(o => o.Problem is not null).ToList();
        var text = new StringBuilder();
        foreach (var o in wrong.Take(max))
            text.Append(CultureInfo.InvariantCulture, $"{o.Request.Category}: {o.Request.Description} ({o.Request.Method} {Clip(o.Request.Path)}): {o.Problem}\n");
        if (wrong.Count > max)
            text.Append(CultureInfo.InvariantCulture, $"… and {wrong.Count - max} more\n");
        return text.ToString();
    }

    private static string Clip(string? text) => text is null ? "" : text.Length <= 200 ? text : text[..200] + "…";
}
