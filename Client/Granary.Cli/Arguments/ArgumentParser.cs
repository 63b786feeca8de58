using System.Collections.Immutable;
using System.Globalization;

namespace Granary.Cli.Arguments;

/// <summary>
/// Parses a command line the way kubectl (pflag) does: flags anywhere among the words, <c>--name value</c>,
/// <c>--name=value</c>, <c>-n value</c>, <c>-nvalue</c>, <c>-n=value</c>, grouped short booleans (<c>-Aw</c>),
/// and <c>--</c> to end the flags.
/// </summary>
internal static class ArgumentParser
{
    private sealed record Flag(string Long, char? Short, bool TakesValue, Func<CliArguments, string, CliArguments> Apply);

    private static readonly Flag[] Flags =
    [
        new("namespace", 'n', true, (a, v) => a with { Namespace = v }),
        new("all-namespaces", 'A', false, (a, v) => a with { AllNamespaces = ParseBool("all-namespaces", v) }),
        new("selector", 'l', true, (a, v) => a with { Selector = v }),
        new("output", 'o', true, (a, v) => a with { Output = ParseOutput(v) }),
        new("watch", 'w', false, (a, v) => a with { Watch = ParseBool("watch", v) }),
        new("filename", 'f', true, (a, v) => a with { Files = a.Files.Add(v) }),
        new("redis", null, true, (a, v) => a with { Redis = v }),
        new("gateway", null, true, (a, v) => a with { Gateways = a.Gateways.AddRange(v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) }),
        new("cluster-id", null, true, (a, v) => a with { ClusterId = v }),
        new("grace-period", null, true, (a, v) => a with { GracePeriod = ParseGracePeriod(v) }),
        new("help", 'h', false, (a, v) => a with { Help = ParseBool("help", v) }),
    ];

    public static CliArguments Parse(IReadOnlyList<string> args)
    {
        var result = new CliArguments();
        var words = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                words.AddRange(args.Skip(i + 1));
                break;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
                result = ParseLong(arg, args, ref i, result);
            else if (arg.Length > 1 && arg[0] == '-')
                result = ParseShortGroup(arg, args, ref i, result);
            else
                words.Add(arg);
        }
        return result with { Words = words.ToImmutable() };
    }

    private static CliArguments ParseLong(string arg, IReadOnlyList<string> args, ref int i, CliArguments result)
    {
        var body = arg[2..];
        var eq = body.IndexOf('=', StringComparison.Ordinal);
        var name = eq >= 0 ? body[..eq] : body;
        var flag = Flags.FirstOrDefault(f => f.Long == name) ?? throw new UsageException($"unknown flag: --{name}");
        if (eq >= 0)
            return flag.Apply(result, body[(eq + 1)..]);
        if (!flag.TakesValue)
            return flag.Apply(result, "true");
        if (i + 1 >= args.Count)
            throw new UsageException($"flag needs an argument: --{name}");
        return flag.Apply(result, args[++i]);
    }

    private static CliArguments ParseShortGroup(string arg, IReadOnlyList<string> args, ref int i, CliArguments result)
    {
        for (var j = 1; j < arg.Length; j++)
        {
            var c = arg[j];
            var flag = Flags.FirstOrDefault(f => f.Short == c) ?? throw new UsageException($"unknown shorthand flag: '{c}' in {arg}");
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

    private static long? ParseGracePeriod(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            ? seconds < 0 ? null : seconds
            : throw new UsageException($"invalid argument \"{value}\" for \"--grace-period\" flag: expected a whole number of seconds");
}
