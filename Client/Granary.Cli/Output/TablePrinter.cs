using System.Text;

namespace Granary.Cli.Output;

/// <summary>
/// Columns as kubectl's tabwriter lays them out (min width 6, padding 3): every column but the last is padded
/// to its widest cell plus three spaces. Widths can be kept and grown, so watch rows line up under the header.
/// </summary>
internal sealed class TablePrinter
{
    public const int MinWidth = 6;
    public const int Padding = 3;

    private int[] _widths = [];

    public TablePrinter(IEnumerable<IReadOnlyList<string>> lines)
    {
        foreach (var line in lines)
            Fit(line);
    }

    /// <summary>A whole table, header first, each line ending in a newline.</summary>
    public static string Render(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var lines = rows.Prepend(header).ToList();
        var printer = new TablePrinter(lines);
        var text = new StringBuilder();
        foreach (var line in lines)
            text.Append(printer.Format(line));
        return text.ToString();
    }

    /// <summary>One line, ending in a newline; a cell wider than its column widens it for later lines.</summary>
    public string Format(IReadOnlyList<string> cells)
    {
        Fit(cells);
        var text = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            text.Append(cells[i]);
            if (i < cells.Count - 1)
                text.Append(' ', _widths[i] - Width(cells[i]));
        }
        return text.Append('\n').ToString();
    }

    private void Fit(IReadOnlyList<string> cells)
    {
        if (_widths.Length < cells.Count)
            Array.Resize(ref _widths, cells.Count);
        // The last cell of a line is not in a column (tabwriter only pads tab-terminated cells).
        for (var i = 0; i < cells.Count - 1; i++)
            _widths[i] = Math.Max(_widths[i], Math.Max(MinWidth, Width(cells[i]) + Padding));
    }

    internal static int Width(string cell) => cell.EnumerateRunes().Count();
}
