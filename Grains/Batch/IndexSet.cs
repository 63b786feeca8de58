using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Granary.Grains.Batch;

/// <summary>
/// A set of completion indexes in kube's compressed form ("1,3-5,7"), as status.completedIndexes and
/// status.failedIndexes write it: ascending, each run of consecutive indexes as "first-last".
/// </summary>
public static class IndexSet
{
    /// <summary>The indexes of <paramref name="text"/> below <paramref name="completions"/>; malformed parts are skipped.</summary>
    public static ImmutableSortedSet<int> Parse(string? text, int completions)
    {
        var set = ImmutableSortedSet.CreateBuilder<int>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var (first, last) = dash < 0 ? (part, part) : (part[..dash], part[(dash + 1)..]);
            if (!int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var to))
                continue;
            for (var i = from; i <= to && i < completions; i++)
                set.Add(i);
        }
        return set.ToImmutable();
    }

    /// <summary>Kube's succeededIndexes.String(): runs of two or more as "a-b", single indexes alone; null when empty.</summary>
    public static string? Format(IEnumerable<int> indexes)
    {
        var sorted = indexes.Distinct().Order().ToList();
        if (sorted.Count == 0)
            return null;
        var text = new StringBuilder();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
                j++;
            if (text.Length > 0)
                text.Append(',');
            text.Append(CultureInfo.InvariantCulture, $"{sorted[i]}");
            if (j > i)
                text.Append(CultureInfo.InvariantCulture, $"-{sorted[j]}");
            i = j + 1;
        }
        return text.ToString();
    }
}
