using System.Collections.Immutable;
using System.Text;

namespace Granary.Silo.Security;

/// <summary>One user of a token file: who a bearer token stands for.</summary>
internal sealed record ApiUser(string Name, string Uid, ImmutableArray<string> Groups)
{
    /// <summary>kube-apiserver's group of cluster administrators; the kubeconfig carries a token of this group.</summary>
    public const string MastersGroup = "system:masters";

    public bool IsAdmin => Groups.Contains(MastersGroup, StringComparer.Ordinal);
}

/// <summary>A token and its user, with the line it came from (1-based), for messages.</summary>
internal sealed record TokenFileEntry(string Token, ApiUser User, int Line);

/// <summary>
/// kube-apiserver's <c>--token-auth-file</c> format: CSV lines <c>token,user,uid[,"group1,group2"]</c>. Lines starting
/// with <c>#</c> and blank lines are ignored. Unlike kube-apiserver, which skips empty and duplicate tokens with a
/// warning, every malformed line is an error naming the file and the line: a token file is security configuration,
/// and a silently ignored line is a user who cannot log in, or one who still can.
/// </summary>
internal static class TokenFile
{
    public static IReadOnlyList<TokenFileEntry> Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ApiSecurityException($"cannot read the token file {path}: {e.Message}", e);
        }
        return Parse(text, path);
    }

    public static IReadOnlyList<TokenFileEntry> Parse(string text, string path)
    {
        var entries = new List<TokenFileEntry>();
        var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
                continue;
            var fields = SplitCsv(line) ?? throw Malformed(path, number, "a quoted field is not closed");
            if (fields.Count < 3)
                throw Malformed(path, number, $"it has {fields.Count} column(s); each line needs at least 3: token,user,uid[,\"group1,group2\"]");
            if (fields.Count > 4)
                throw Malformed(path, number, $"it has {fields.Count} columns; quote the groups when there are several: token,user,uid,\"group1,group2\"");
            var (token, name, uid) = (fields[0], fields[1], fields[2]);
            if (token.Length == 0)
                throw Malformed(path, number, "the token (first column) is empty");
            if (token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                throw Malformed(path, number, "the token contains whitespace, which no Authorization header can carry");
            if (name.Length == 0)
                throw Malformed(path, number, "the user name (second column) is empty");
            if (firstLineOf.TryGetValue(token, out var first))
                throw Malformed(path, number, $"its token is already given on line {first}; each token must name one user");
            firstLineOf[token] = number;
            var groups = fields.Count == 4
                ? [.. fields[3].Split(',').Select(g => g.Trim()).Where(g => g.Length > 0)]
                : ImmutableArray<string>.Empty;
            entries.Add(new TokenFileEntry(token, new ApiUser(name, uid, groups), number));
        }
        return entries;
    }

    /// <summary>The line a generated token file holds: one administrator.</summary>
    public static string AdminLine(string token) => $"{token},admin,admin,\"{ApiUser.MastersGroup}\"";

    private static ApiSecurityException Malformed(string path, int line, string why) =>
        new($"the token file {path} is malformed at line {line}: {why}. Fix or remove that line (lines starting with # are comments).");

    /// <summary>RFC 4180 fields ("" is a quote inside a quoted field; spaces before a field are dropped, as Go's
    /// csv reader with TrimLeadingSpace does). Null when a quote is not closed.</summary>
    private static List<string>? SplitCsv(string line)
    {
        var fields = new List<string>();
        var i = 0;
        while (true)
        {
            while (i < line.Length && line[i] == ' ')
                i++;
            var field = new StringBuilder();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length)
                        return null;
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.Append(line[i++]);
                }
                // Anything between the closing quote and the next comma is kept, as lenient readers do.
                while (i < line.Length && line[i] != ',')
                    field.Append(line[i++]);
            }
            else
            {
                while (i < line.Length && line[i] != ',')
                    field.Append(line[i++]);
            }
            fields.Add(field.ToString().TrimEnd());
            if (i >= line.Length)
                return fields;
            i++; // the comma
        }
    }
}
