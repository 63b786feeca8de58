using Granary.Cli.Output;

namespace Granary.Tests.Unit.Cli;

public class TablePrinterTests
{
    [Fact]
    public void Render_NarrowColumns_AreAtLeastSixWide()
    {
        var text = TablePrinter.Render(["A", "BB", "C"], [["1", "22", "333"]]);

        Assert.Equal("A     BB    C\n1     22    333\n", text);
    }

    [Fact]
    public void Format_WiderRowLater_WidensTheColumnForLaterRows()
    {
        var printer = new TablePrinter([["NAME", "AGE"], ["web", "1s"]]);

        Assert.Equal(
            ["NAME   AGE\n", "a-much-longer-name   2s\n", "web                  3s\n"],
            [printer.Format(["NAME", "AGE"]), printer.Format(["a-much-longer-name", "2s"]), printer.Format(["web", "3s"])]);
    }

    [Fact]
    public void Format_EmptyCell_IsPadded()
    {
        Assert.Equal("a           x\n", new TablePrinter([]).Format(["a", "", "x"]));
    }

    [Fact]
    public void TabWriter_ColumnsAlignOverRunsOfLinesWithTabs()
    {
        const string text = "Name:\tweb\nNamespace:\tdefault\nContainers:\n  web:\n    Image:\tnginx\n    Restart Count:\t0\n";

        Assert.Equal(
            "Name:       web\nNamespace:  default\nContainers:\n  web:\n    Image:          nginx\n    Restart Count:  0\n",
            TabWriter.Format(text, minWidth: 0, padding: 2));
    }

    [Fact]
    public void TabWriter_NestedColumns_AreSizedWithinTheirBlock()
    {
        const string text = "a\tb\tc\nlonger\tb\nx\n1\t2\t3\n";

        Assert.Equal("a       b  c\nlonger  b\nx\n1  2  3\n", TabWriter.Format(text, minWidth: 0, padding: 2));
    }
}
