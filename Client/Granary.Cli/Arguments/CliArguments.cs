using System.Collections.Immutable;

namespace Granary.Cli.Arguments;

/// <summary>How objects are printed: kubectl's -o values, and the table when none is given.</summary>
internal enum OutputFormat { Table, Wide, Json, Yaml, Name }

/// <summary>A parsed command line: the words that are not flags, in order, and every flag's value.</summary>
internal sealed record CliArguments
{
    public const string DefaultNamespace = "default";

    /// <summary>The command and its arguments (<c>get pods web</c>).</summary>
    public ImmutableArray<string> Words { get; init; } = [];

    /// <summary>The -n value as given; null when the flag was not used.</summary>
    public string? Namespace { get; init; }

    public bool AllNamespaces { get; init; }
    public string? Selector { get; init; }
    public OutputFormat Output { get; init; }
    public bool Watch { get; init; }
    public ImmutableArray<string> Files { get; init; } = [];
    public string? Redis { get; init; }
    public ImmutableArray<string> Gateways { get; init; } = [];
    public string? ClusterId { get; init; }

    /// <summary>--grace-period; null when not given or negative (the object's own period then applies).</summary>
    public long? GracePeriod { get; init; }

    public bool Help { get; init; }

    public string? Command => Words.IsEmpty ? null : Words[0];

    /// <summary>The words after the command.</summary>
    public ImmutableArray<string> Args => Words.IsEmpty ? [] : Words.RemoveAt(0);

    /// <summary>The namespace commands work in: the -n value, else "default".</summary>
    public string EffectiveNamespace => Namespace ?? DefaultNamespace;
}
