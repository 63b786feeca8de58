using System.Text;
using Granary.NodeAgent.Volumes;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.NodeAgent.Volumes;

/// <summary>The kubelet's way of writing volume files: generations behind one ..data link, swapped in one rename.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AtomicWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-atomic-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 1, 30, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private AtomicWriter Writer() => new(_dir, _time);

    private static Dictionary<string, FileProjection> Payload(params (string Path, string Text, int Mode)[] files) =>
        files.ToDictionary(f => f.Path, f => new FileProjection(Encoding.UTF8.GetBytes(f.Text), f.Mode));

    private string Read(string name) => File.ReadAllText(Path.Combine(_dir, name));

    private string DataTarget() => new FileInfo(Path.Combine(_dir, AtomicWriter.DataDirName)).LinkTarget!;

    [Fact]
    public void Write_First_MakesAGenerationTheDataLinkAndVisibleLinks()
    {
        Assert.True(Writer().Write(Payload(("game.properties", "lives=3", 0b110_100_100), ("ui/color", "blue", 0b100_000_000))));

        Assert.Equal("lives=3", Read("game.properties"));
        Assert.Equal("blue", Read("ui/color"));
        Assert.StartsWith("..2026_12_07_01_30_00.", DataTarget(), StringComparison.Ordinal);
        Assert.Equal("..data/game.properties", new FileInfo(Path.Combine(_dir, "game.properties")).LinkTarget);
        Assert.Equal("..data/ui", new FileInfo(Path.Combine(_dir, "ui")).LinkTarget);
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(Path.Combine(_dir, AtomicWriter.DataDirName, "game.properties")));
        Assert.Equal((UnixFileMode)0b100_000_000, File.GetUnixFileMode(Path.Combine(_dir, AtomicWriter.DataDirName, "ui/color")));
    }

    [Fact]
    public void Write_Unchanged_WritesNothing()
    {
        var writer = Writer();
        writer.Write(Payload(("a", "1", 0b110_100_100)));
        var first = DataTarget();
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(writer.Write(Payload(("a", "1", 0b110_100_100))));
        Assert.Equal(first, DataTarget());
    }

    [Theory]
    [InlineData("2", 0b110_100_100)] // new content
    [InlineData("1", 0b100_100_100)] // new mode only
    public void Write_Changed_SwapsToANewGenerationAndRemovesTheOld(string text, int mode)
    {
        var writer = Writer();
        writer.Write(Payload(("a", "1", 0b110_100_100)));
        var first = DataTarget();
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(writer.Write(Payload(("a", text, mode))));

        Assert.NotEqual(first, DataTarget());
        Assert.False(Directory.Exists(Path.Combine(_dir, first)));
        Assert.Equal(text, Read("a"));
        // Only the link, the current generation and the visible name are left.
        Assert.Equal(new HashSet<string?> { "..data", DataTarget(), "a" }, Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).ToHashSet());
    }

    [Fact]
    public void Write_KeyRemoved_RemovesItsVisibleName_AndLeavesForeignFilesAlone()
    {
        var writer = Writer();
        writer.Write(Payload(("a", "1", 0b110_100_100), ("b", "2", 0b110_100_100)));
        File.WriteAllText(Path.Combine(_dir, "not-ours"), "x");

        writer.Write(Payload(("a", "1", 0b110_100_100)));

        Assert.False(File.Exists(Path.Combine(_dir, "b")));
        Assert.Null(new FileInfo(Path.Combine(_dir, "b")).LinkTarget);
        Assert.Equal("x", Read("not-ours"));
    }

    [Fact]
    public void Write_AReaderHoldingTheOldFile_KeepsReadingTheOldContent()
    {
        var writer = Writer();
        writer.Write(Payload(("a", "old", 0b110_100_100)));
        using var open = File.OpenRead(Path.Combine(_dir, "a"));

        writer.Write(Payload(("a", "new", 0b110_100_100)));

        // The swap replaced the link, never the file a reader has open: it reads one whole version.
        using var reader = new StreamReader(open);
        Assert.Equal("old", reader.ReadToEnd());
        Assert.Equal("new", Read("a"));
    }

    [Fact]
    public void Write_ALeftoverSwapLinkOrGeneration_IsCleanedUp()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "..2026_01_01_00_00_00.000000001"));
        File.CreateSymbolicLink(Path.Combine(_dir, "..data_tmp"), "..2026_01_01_00_00_00.000000001");

        Writer().Write(Payload(("a", "1", 0b110_100_100)));

        Assert.Equal(new HashSet<string?> { "..data", DataTarget(), "a" }, Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).ToHashSet());
    }

    [Fact]
    public void Write_EmptyPayload_LeavesOnlyTheLinkAndAnEmptyGeneration()
    {
        var writer = Writer();
        writer.Write(Payload(("a", "1", 0b110_100_100)));

        Assert.True(writer.Write(Payload()));

        Assert.Empty(writer.Read());
        Assert.False(File.Exists(Path.Combine(_dir, "a")));
    }

    [Fact]
    public void Read_GivesTheCurrentGeneration()
    {
        var writer = Writer();
        writer.Write(Payload(("x/y", "1", 0b100_100_100)));

        var read = writer.Read();

        Assert.Equal(["x/y"], read.Keys);
        Assert.Equal(("1", 0b100_100_100), (Encoding.UTF8.GetString(read["x/y"].Data), read["x/y"].Mode));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/etc/passwd")]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("..data")]
    [InlineData("..hidden")]
    public void Write_InvalidPath_IsRefusedBeforeAnythingIsWritten(string path)
    {
        Assert.Throws<ArgumentException>(() => Writer().Write(Payload((path, "1", 0b110_100_100))));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir));
    }
}
