using System.Text;
using System.Text.RegularExpressions;

namespace Granary.NodeAgent.Pods;

/// <summary>
/// Kubernetes' <c>$(VAR)</c> expansion (third_party/forked/golang/expansion), for env values, command and args:
/// <c>$(NAME)</c> becomes the variable's value when it is defined and stays as written when it is not; <c>$$</c> is
/// an escaped <c>$</c> (so <c>$$(NAME)</c> gives <c>$(NAME)</c>); any other <c>$</c> is kept. Pure.
/// </summary>
public static partial class EnvExpansion
{
    public static string Expand(string input, IReadOnlyDictionary<string, string> variables)
    {
        var output = new StringBuilder(input.Length);
        var checkpoint = 0;
        for (var cursor = 0; cursor < input.Length; cursor++)
        {
            if (input[cursor] != '$' || cursor + 1 >= input.Length)
                continue;
            output.Append(input, checkpoint, cursor - checkpoint);
            var (read, isVariable, advance) = ReadVariableName(input.AsSpan(cursor + 1));
            output.Append(isVariable ? variables.TryGetValue(read, out var value) ? value : $"$({read})" : read);
            cursor += advance;
            checkpoint = cursor + 1;
        }
        return output.Append(input, checkpoint, input.Length - checkpoint).ToString();
    }

    public static IReadOnlyList<string>? ExpandAll(IReadOnlyList<string>? inputs, IReadOnlyDictionary<string, string> variables) =>
        inputs is null ? null : [.. inputs.Select(i => Expand(i, variables))];

    /// <summary>
    /// Kube's IsEnvVarName: letters, digits, '_', '-' and '.', not starting with a digit, and not "." or ".."-prefixed.
    /// envFrom keys that fail it are skipped (InvalidEnvironmentVariableNames).
    /// </summary>
    public static bool IsEnvVarName(string name) =>
        EnvVarName().IsMatch(name) && name != "." && !name.StartsWith("..", StringComparison.Ordinal);

    private static (string Read, bool IsVariable, int Advance) ReadVariableName(ReadOnlySpan<char> input)
    {
        switch (input[0])
        {
            case '$':
                return ("$", false, 1);
            case '(':
                var closer = input.IndexOf(')');
                return closer > 0 ? (input[1..closer].ToString(), true, closer + 1) : ("$(", false, 1);
            default:
                return ("$" + input[0], false, 1);
        }
    }

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvVarName();
}
