using System.Globalization;
using System.Text;

namespace Granary.Cli.Output;

/// <summary>
/// kubectl's describe PrefixWriter: lines at levels of two spaces, cells split by tabs, aligned at the end by
/// <see cref="TabWriter"/> (min width 0, padding 2). Times print as Go's RFC1123Z in the offset of "now".
/// </summary>
internal sealed class DescribeWriter(DateTimeOffset now)
{
    private readonly StringBuilder _text = new();

    public DateTimeOffset Now { get; } = now;

    public void Line(int level, string text) => _text.Append(' ', level * 2).Append(text).Append('\n');

    /// <summary>"Title:  k=v" with more pairs on following lines, or &lt;none&gt;; sorted by key, as printLabelsMultiline.</summary>
    public void Labels(string title, IReadOnlyDictionary<string, string>? labels) =>
        Multiline(title, labels?.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    public void Annotations(string title, IReadOnlyDictionary<string, string>? annotations) =>
        Multiline(title, annotations?.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"));

    /// <summary>The first value beside the title, the rest below it in the same column; &lt;none&gt; when there are none.</summary>
    public void Multiline(string title, IEnumerable<string>? values)
    {
        var list = values?.ToList() ?? [];
        if (list.Count == 0)
        {
            Line(0, $"{title}:\t<none>");
            return;
        }
        for (var i = 0; i < list.Count; i++)
            Line(0, i == 0 ? $"{title}:\t{list[i]}" : $"\t{list[i]}");
    }

    /// <summary>Go's time.RFC1123Z ("Mon, 02 Jan 2006 15:04:05 -0700") in the offset of <see cref="Now"/>.</summary>
    public string Time(DateTimeOffset? time)
    {
        if (time is not { } t)
            return "<unknown>";
        var local = t.ToOffset(Now.Offset);
        var offset = local.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        return local.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture)
            + string.Create(CultureInfo.InvariantCulture, $"{sign}{Math.Abs(offset.Hours):00}{Math.Abs(offset.Minutes):00}");
    }

    public override string ToString() => TabWriter.Format(_text.ToString(), minWidth: 0, padding: 2);
}
