using System.Collections.Immutable;
using System.Globalization;

namespace Granary.Cli.Arguments;

/// <summary>
/// Parses a command line the way kubectl (pflag) does: flags anywhere among the words, <c>--name value</c>,
/// <c>--name=value</c>, <c>-n value</c>, <c>-nvalue</c>, <c>-n=value</c>, grouped short booleans (<c>-Aw</c>),
/// and <c>--</c> to end the flags.
/// </summary>
/// <remarks>
/// Flags belong to commands, as in kubectl: <c>-f</c> is <c>--filename</c> for apply and delete but
/// <c>--follow</c> for logs. The command (the first word) is found first, then the whole line is parsed with
/// that command's flags. The commands that came before logs and exec share one set, so each keeps accepting
/// what it always has.
/// </remarks>
internal static class ArgumentParser
{
    private sealed record Flag(string Long, char? Short, bool TakesValue, Func<CliArguments, string, CliArguments> Apply);

    /// <summary>Flags of every command: where to find the cluster, the namespace, help.</summary>
    private static readonly Flag[] Common =
    [
        new("namespace", 'n', true, (a, v) => a with { Namespace = v }),
        new("redis", null, true, (a, v) => a with { Redis = v }),
        new("gateway", null, true, (a, v) => a with { Gateways = a.Gateways.AddRange(v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) }),
        new("cluster-id", null, true, (a, v) => a with { ClusterId = v }),
        new("cluster-ca", null, true, (a, v) => a with { ClusterCa = v }),
        new("tls-certificate", null, true, (a, v) => a with { TlsCertificate = v }),
        new("tls-key", null, true, (a, v) => a with { TlsKey = v }),
        new("help", 'h', false, (a, v) => a with { Help = ParseBool("help", v) }),
    ];

    /// <summary>Flags of the commands that work on objects (apply, get, describe, delete) and of the rest.</summary>
    private static readonly Flag[] ObjectFlags =
    [
        new("all-namespaces", 'A', false, (a, v) => a with { AllNamespaces = ParseBool("all-namespaces", v) }),
        new("selector", 'l', true, (a, v) => a with { Selector = v }),
        new("output", 'o', true, (a, v) => a with { Output = ParseOutput(v) }),
        new("watch", 'w', false, (a, v) => a with { Watch = ParseBool("watch", v) }),
        new("filename", 'f', true, (a, v) => a with { Files = a.Files.Add(v) }),
        new("grace-period", null, true, (a, v) => a with { GracePeriod = ParseGracePeriod(v) }),
    ];

    private static readonly Flag Container = new("container", 'c', true, (a, v) => a with { Container = v });

    private static readonly Flag[] LogsFlags =
    [
        Container,
        new("follow", 'f', false, (a, v) => a with { Follow = ParseBool("follow", v) }),
        new("tail", null, true, (a, v) => a with { Tail = ParseTail(v) }),
        new("since", null, true, (a, v) => a with { Since = ParseSince(v) }),
        new("previous", 'p', false, (a, v) => a with { Previous = ParseBool("previous", v) }),
        new("timestamps", null, false, (a, v) => a with { Timestamps = ParseBool("timestamps", v) }),
    ];

    private static readonly Flag[] ExecFlags =
    [
        Container,
        // Accepted so that exec can answer them with a clear error rather than "unknown flag".
        new("stdin", 'i', false, (a, v) => a with { Interactive = a.Interactive || ParseBool("stdin", v) }),
        new("tty", 't', false, (a, v) => a with { Interactive = a.Interactive || ParseBool("tty", v) }),
    ];

    private static readonly Flag[] CertsFlags =
    [
        new("dir", null, true, (a, v) => a with { CertificateDir = v }),
        new("address", null, true, (a, v) => a with { Addresses = a.Addresses.AddRange(v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) }),
        new("group", null, true, (a, v) => a with { Groups = a.Groups.Add(v) }),
        new("force", null, false, (a, v) => a with { Force = ParseBool("force", v) }),
    ];

    private static readonly Flag[] OtherCommandFlags = [.. Common, .. ObjectFlags];

    private static readonly Dictionary<string, Flag[]> CommandFlags = new(StringComparer.Ordinal)
    {
        ["logs"] = [.. Common, .. LogsFlags],
        ["exec"] = [.. Common, .. ExecFlags],
        ["certs"] = [.. Common, .. CertsFlags],
    };

    /// <summary>
    /// Every flag, the other commands' first: before the command is known, a flag's only use is to say whether it
    /// takes the next word as its value, and there <c>-f</c> is <c>--filename</c>, as in kubectl.
    /// </summary>
    private static readonly Flag[] AnyCommandFlags = [.. OtherCommandFlags, .. LogsFlags, .. ExecFlags, .. CertsFlags];

    public static CliArguments Parse(IReadOnlyList<string> args)
    {
        var command = FindCommand(args);
        var flags = command is not null && CommandFlags.TryGetValue(command, out var own) ? own : OtherCommandFlags;
        var result = new CliArguments();
        var words = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                result = result with { WordsBeforeDash = words.Count };
                words.AddRange(args.Skip(i + 1));
                break;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
                result = ParseLong(flags, arg, args, ref i, result);
            else if (arg.Length > 1 && arg[0] == '-')
                result = ParseShortGroup(flags, arg, args, ref i, result);
            else
                words.Add(arg);
        }
        // The command leads the words even when a flag before it read differently here than when it was found
        // (`-f x logs web`: x was -f's value then, a word now), as cobra takes the command out of the arguments.
        if (command is not null && words.IndexOf(command) is > 0 and var at)
        {
            words.RemoveAt(at);
            words.Insert(0, command);
        }
        return result with { Words = words.ToImmutable() };
    }

    /// <summary>The first word that is neither a flag nor a flag's value; null when there is none.</summary>
    private static string? FindCommand(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
                return i + 1 < args.Count ? args[i + 1] : null;
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (!arg.Contains('=', StringComparison.Ordinal) && AnyCommandFlags.FirstOrDefault(f => f.Long == arg[2..]) is { TakesValue: true })
                    i++;
            }
            else if (arg.Length > 1 && arg[0] == '-')
            {
                if (ShortGroupTakesNextWord(arg))
                    i++;
            }
            else
            {
                return arg;
            }
        }
        return null;
    }

    /// <summary>Whether a group of short flags takes the next word, as <see cref="ParseShortGroup"/> reads it (<c>-n</c>, <c>-An</c>).</summary>
    private static bool ShortGroupTakesNextWord(string arg)
    {
        for (var j = 1; j < arg.Length; j++)
        {
            var flag = AnyCommandFlags.FirstOrDefault(f => f.Short == arg[j]);
            if (flag is null || arg[(j + 1)..].StartsWith('='))
                return false;
            // The first flag that takes a value takes the rest of the group, or the next word when nothing is left.
            if (flag.TakesValue)
                return j == arg.Length - 1;
        }
        return false;
    }

    private static CliArguments ParseLong(Flag[] flags, string arg, IReadOnlyList<string> args, ref int i, CliArguments result)
    {
        var body = arg[2..];
        var eq = body.IndexOf('=', StringComparison.Ordinal);
        var name = eq >= 0 ? body[..eq] : body;
        var flag = flags.FirstOrDefault(f => f.Long == name) ?? throw new UsageException($"unknown flag: --{name}");
        if (eq >= 0)
            return flag.Apply(result, body[(eq + 1)..]);
        if (!flag.TakesValue)
            return flag.Apply(result, "true");
        if (i + 1 >= args.Count)
            throw new UsageException($"flag needs an argument: --{name}");
        return flag.Apply(result, args[++i]);
    }

    private static CliArguments ParseShortGroup(Flag[] flags, string arg, IReadOnlyList<string> args, ref int i, CliArguments result)
    {
        for (var j = 1; j < arg.Length; j++)
        {
            var c = arg[j];
            var flag = flags.FirstOrDefault(f => f.Short == c) ?? throw new UsageException($"unknown shorthand flag: '{c}' in {arg}");
            var rest = arg[(j + 1)..];
            if (flag.TakesValue)
            {
                var value = rest.StartsWith('=') ? rest[1..] : rest;
                if (rest.Length == 0)
                {
                    if (i + 1 >= args.Count)
                        throw new UsageException($"flag needs an argument: '{c}' in {arg}");
                    value = args[++i];
                }
                return flag.Apply(result, value);
            }
            if (rest.StartsWith('='))
                return flag.Apply(result, rest[1..]);
            result = flag.Apply(result, "true");
        }
        return result;
    }

    private static bool ParseBool(string flag, string value) => value.ToLowerInvariant() switch
    {
        "true" or "t" or "1" => true,
        "false" or "f" or "0" => false,
        _ => throw new UsageException($"invalid argument \"{value}\" for \"--{flag}\" flag: expected true or false"),
    };

    private static OutputFormat ParseOutput(string value) => value switch
    {
        "wide" => OutputFormat.Wide,
        "json" => OutputFormat.Json,
        "yaml" => OutputFormat.Yaml,
        "name" => OutputFormat.Name,
        _ => throw new UsageException($"unable to match a printer suitable for the output format \"{value}\", allowed formats are: json,name,wide,yaml"),
    };

    private static int ParseTail(string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var lines)
            ? lines
            : throw new UsageException($"invalid argument \"{value}\" for \"--tail\" flag: expected a whole number of lines");

    private static TimeSpan ParseSince(string value)
    {
        try
        {
            return GoDuration.Parse(value);
        }
        catch (FormatException e)
        {
            throw new UsageException($"invalid argument \"{value}\" for \"--since\" flag: {e.Message}");
        }
    }

    private static long? ParseGracePeriod(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            ? seconds < 0 ? null : seconds
            : throw new UsageException($"invalid argument \"{value}\" for \"--grace-period\" flag: expected a whole number of seconds");
}
