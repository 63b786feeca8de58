using System.Text;

namespace Granary.Cli.Output;

/// <summary>
/// Go's text/tabwriter (left-aligned, space padding), which kubectl's describe output goes through: cells end
/// at a tab, and a column is aligned over each run of consecutive lines that have a cell in it. A line without
/// a tab ends the run, which is why describe sections align apart.
/// </summary>
internal static class TabWriter
{
    public static string Format(string text, int minWidth, int padding)
    {
        var lines = text.Split('\n').Select(l => l.Split('\t')).ToArray();
        var output = new StringBuilder();
        var widths = new List<int>();
        FormatBlock(0, lines.Length);
        return output.ToString();

        // Port of tabwriter.format: find each block of lines with a cell in this column, size it, recurse right.
        void FormatBlock(int line0, int line1)
        {
            var column = widths.Count;
            for (var current = line0; current < line1; current++)
            {
                if (column >= lines[current].Length - 1)
                    continue;
                WriteLines(line0, current);
                line0 = current;
                var width = minWidth;
                for (; current < line1; current++)
                {
                    var line = lines[current];
                    if (column >= line.Length - 1)
                        break;
                    width = Math.Max(width, TablePrinter.Width(line[column]) + padding);
                }
                widths.Add(width);
                FormatBlock(line0, current);
                widths.RemoveAt(widths.Count - 1);
                line0 = current;
            }
            WriteLines(line0, line1);
        }

        void WriteLines(int line0, int line1)
        {
            for (var i = line0; i < line1; i++)
            {
                var cells = lines[i];
                for (var j = 0; j < cells.Length; j++)
                {
                    output.Append(cells[j]);
                    if (j < widths.Count)
                        output.Append(' ', widths[j] - TablePrinter.Width(cells[j]));
                }
                if (i + 1 < lines.Length)
                    output.Append('\n');
            }
        }
    }
}
