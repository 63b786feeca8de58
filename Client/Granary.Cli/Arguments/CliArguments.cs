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

    /// <summary>--cluster-ca, --tls-certificate, --tls-key: the mutual TLS files for a production cluster's gateways.</summary>
    public string? ClusterCa { get; init; }
    public string? TlsCertificate { get; init; }
    public string? TlsKey { get; init; }

    /// <summary>certs --dir, --address (repeated or a comma list), --group (repeated), --force.</summary>
    public string? CertificateDir { get; init; }
    public ImmutableArray<string> Addresses { get; init; } = [];
    public ImmutableArray<string> Groups { get; init; } = [];
    public bool Force { get; init; }

    /// <summary>--grace-period; null when not given or negative (the object's own period then applies).</summary>
    public long? GracePeriod { get; init; }

    public bool Help { get; init; }

    /// <summary>-c/--container of logs and exec; null when not given.</summary>
    public string? Container { get; init; }

    /// <summary>logs -f/--follow: keep printing until the container stops or the command is interrupted.</summary>
    public bool Follow { get; init; }

    /// <summary>logs --tail: the last N lines; -1 (the default) for all.</summary>
    public int Tail { get; init; } = -1;

    /// <summary>logs --since: only lines newer than this long ago; null when not given.</summary>
    public TimeSpan? Since { get; init; }

    /// <summary>logs -p/--previous: the previous, terminated instance of the container.</summary>
    public bool Previous { get; init; }

    /// <summary>logs --timestamps: each line prefixed with its RFC3339Nano time.</summary>
    public bool Timestamps { get; init; }

    /// <summary>exec -i/--stdin or -t/--tty: asked for, so that exec can say it does not do them.</summary>
    public bool Interactive { get; init; }

    /// <summary>How many words came before <c>--</c> (the command word included); null when there was no <c>--</c>.</summary>
    public int? WordsBeforeDash { get; init; }

    public string? Command => Words.IsEmpty ? null : Words[0];

    /// <summary>The words after the command.</summary>
    public ImmutableArray<string> Args => Words.IsEmpty ? [] : Words.RemoveAt(0);

    /// <summary>
    /// How many of <see cref="Args"/> came before <c>--</c>, null when there was none: exec's pod is before it
    /// and the container's command after it (cobra's ArgsLenAtDash).
    /// </summary>
    public int? ArgsBeforeDash => WordsBeforeDash is { } words ? Math.Max(words - 1, 0) : null;

    /// <summary>The namespace commands work in: the -n value, else "default".</summary>
    public string EffectiveNamespace => Namespace ?? DefaultNamespace;
}
