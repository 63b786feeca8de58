using System.Collections.Immutable;
using Granary.NodeAgent.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Granary.NodeAgent.Server.Streams;

/// <summary>
/// The query of a pods/exec or pods/attach request, as kubectl sends it:
/// <c>?command=sh&amp;command=-c&amp;command=…&amp;container=c&amp;stdin=true&amp;stdout=true&amp;stderr=true&amp;tty=false</c>
/// (attach has no command). The agent's /exec and /attach take the same query.
/// </summary>
public sealed record ExecOptions(ImmutableArray<string> Command, string? Container, bool Stdin, bool Stdout, bool Stderr, bool Tty)
{
    public static ExecOptions From(IQueryCollection query) => new(
        [.. query["command"].Select(c => c ?? "")],
        query["container"].ToString() is { Length: > 0 } container ? container : null,
        Bool(query["stdin"]),
        Bool(query["stdout"]),
        Bool(query["stderr"]),
        Bool(query["tty"]));

    /// <summary>What kube-apiserver refuses before running anything, worded as it words it; null when the request is fine.</summary>
    public string? Problem(bool attach) => (Command, Stdin || Stdout || Stderr) switch
    {
        ({ IsEmpty: true }, _) when !attach => "you must specify at least one command for the container",
        (_, false) => "you must specify at least 1 of stdin, stdout, stderr",
        _ => null,
    };

    /// <summary>What the runtime is asked to connect.</summary>
    public StreamRequest ToStreamRequest() => new(Stdin, Stdout, Stderr, Tty);

    private static bool Bool(StringValues value) => value.ToString() is "true" or "1" or "True";
}
