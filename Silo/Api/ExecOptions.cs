using System.Collections.Immutable;
using Microsoft.Extensions.Primitives;

namespace Granary.Silo.Api;

/// <summary>
/// The query of a pods/exec request, as kubectl sends it:
/// <c>?command=sh&amp;command=-c&amp;command=…&amp;container=c&amp;stdin=true&amp;stdout=true&amp;stderr=true&amp;tty=false</c>.
/// </summary>
internal sealed record ExecOptions(ImmutableArray<string> Command, string? Container, bool Stdin, bool Stdout, bool Stderr, bool Tty)
{
    public static ExecOptions From(IQueryCollection query) => new(
        [.. query["command"].Select(c => c ?? "")],
        query["container"].ToString() is { Length: > 0 } container ? container : null,
        Bool(query["stdin"]),
        Bool(query["stdout"]),
        Bool(query["stderr"]),
        Bool(query["tty"]));

    /// <summary>What kube-apiserver refuses before running anything, worded as it words it; null when the request is fine.</summary>
    public string? Problem() => (Command, Stdin || Stdout || Stderr) switch
    {
        ({ IsEmpty: true }, _) => "you must specify at least one command for the container",
        (_, false) => "you must specify at least 1 of stdin, stdout, stderr",
        _ => null,
    };

    private static bool Bool(StringValues value) => value.ToString() is "true" or "1" or "True";
}
