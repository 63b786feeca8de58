using Granary.Silo.Security;

namespace Granary.Tests.Unit.Security;

public sealed class TokenFileTests
{
    private const string Path = "/etc/granary/tokens.csv";

    [Fact]
    public void Parse_KubeApiserverFormat_ReadsUsersUidsAndGroups()
    {
        var entries = TokenFile.Parse("""
            # comment, ignored
            token-a,alice,1001,"system:masters,ops"

              # indented comment
            token-b,bob,1002
            "token-c", carol ,1003,dev
            token-d,dave,,""
            """, Path);

        Assert.Equal(["token-a", "token-b", "token-c", "token-d"], entries.Select(e => e.Token));
        Assert.Equal(["alice", "bob", "carol", "dave"], entries.Select(e => e.User.Name));
        Assert.Equal(["1001", "1002", "1003", ""], entries.Select(e => e.User.Uid));
        Assert.Equal(["system:masters", "ops"], entries[0].User.Groups.AsEnumerable());
        Assert.Empty(entries[1].User.Groups);
        Assert.Equal(["dev"], entries[2].User.Groups.AsEnumerable());
        Assert.Empty(entries[3].User.Groups);
        Assert.Equal([2, 5, 6, 7], entries.Select(e => e.Line));
        Assert.True(entries[0].User.IsAdmin);
        Assert.False(entries[2].User.IsAdmin);
    }

    [Fact]
    public void Parse_CrLfLines_AreRead()
    {
        var entries = TokenFile.Parse("token-a,alice,1\r\ntoken-b,bob,2\r\n", Path);

        Assert.Equal(["token-a", "token-b"], entries.Select(e => e.Token));
        Assert.Equal("2", entries[1].User.Uid);
    }

    [Fact]
    public void Parse_EmptyFileOrOnlyComments_HasNoEntries()
    {
        Assert.Empty(TokenFile.Parse("", Path));
        Assert.Empty(TokenFile.Parse("# nothing\n\n", Path));
    }

    [Theory]
    [InlineData("ok,alice,1\nbroken,bob\n", 2, "it has 2 column(s); each line needs at least 3")]
    [InlineData("lonely\n", 1, "it has 1 column(s)")]
    [InlineData("# c\nt,u,1,g1,g2\n", 2, "it has 5 columns; quote the groups when there are several")]
    [InlineData("ok,alice,1\n,bob,2\n", 2, "the token (first column) is empty")]
    [InlineData("t,,1\n", 1, "the user name (second column) is empty")]
    [InlineData("a b,alice,1\n", 1, "the token contains whitespace")]
    [InlineData("t,alice,1,\"system:masters\n", 1, "a quoted field is not closed")]
    [InlineData("same,alice,1\n\nsame,bob,2\n", 3, "its token is already given on line 1")]
    public void Parse_MalformedLine_NamesTheFileAndTheLine(string text, int line, string why)
    {
        var e = Assert.Throws<ApiSecurityException>(() => TokenFile.Parse(text, Path));

        Assert.StartsWith($"the token file {Path} is malformed at line {line}: {why}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AdminLine_ParsesAsAnAdministrator()
    {
        var entry = Assert.Single(TokenFile.Parse(TokenFile.AdminLine("abc123"), Path));

        Assert.Equal("abc123", entry.Token);
        Assert.Equal("admin", entry.User.Name);
        Assert.True(entry.User.IsAdmin);
    }

    [Fact]
    public void Read_MissingFile_SaysWhichFile()
    {
        var missing = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"granary-no-such-{Guid.NewGuid():N}.csv");

        var e = Assert.Throws<ApiSecurityException>(() => TokenFile.Read(missing));

        Assert.StartsWith($"cannot read the token file {missing}", e.Message, StringComparison.Ordinal);
    }
}
