using System.Collections.Immutable;
using Granary.Errors;

namespace Granary.Selectors;

public enum SelectorOperator { Equals, NotEquals, In, NotIn, Exists, DoesNotExist }

[GenerateSerializer, Immutable, Alias("granary.LabelRequirement")]
public sealed record LabelRequirement(
    [property: Id(0)] string Key,
    [property: Id(1)] SelectorOperator Operator,
    [property: Id(2)] ImmutableArray<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        string? value = null;
        var has = labels is not null && labels.TryGetValue(Key, out value);
        return Operator switch
        {
            SelectorOperator.Equals or SelectorOperator.In => has && Values.Contains(value!),
            SelectorOperator.NotEquals or SelectorOperator.NotIn => !has || !Values.Contains(value!),
            SelectorOperator.Exists => has,
            SelectorOperator.DoesNotExist => !has,
            _ => false,
        };
    }

    public override string ToString() => Operator switch
    {
        SelectorOperator.Equals => $"{Key}={Values[0]}",
        SelectorOperator.NotEquals => $"{Key}!={Values[0]}",
        SelectorOperator.In => $"{Key} in ({string.Join(",", Values)})",
        SelectorOperator.NotIn => $"{Key} notin ({string.Join(",", Values)})",
        SelectorOperator.Exists => Key,
        _ => $"!{Key}",
    };
}

/// <summary>
/// A Kubernetes label selector in its string form: <c>a=b,c!=d,e in (x,y),f notin (z),g,!h</c>.
/// All requirements must hold. The empty selector matches everything.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.LabelSelector")]
public sealed record LabelSelector([property: Id(0)] ImmutableArray<LabelRequirement> Requirements)
{
    public static readonly LabelSelector Everything = new(ImmutableArray<LabelRequirement>.Empty);

    public bool IsEmpty => Requirements.IsDefaultOrEmpty;

    public bool Matches(IReadOnlyDictionary<string, string>? labels) =>
        IsEmpty || Requirements.All(r => r.Matches(labels));

    /// <summary>Builds the selector that matches exactly these labels (as a Service or ReplicaSet selector does).</summary>
    public static LabelSelector FromLabels(IReadOnlyDictionary<string, string> labels) =>
        new([.. labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => new LabelRequirement(l.Key, SelectorOperator.Equals, [l.Value]))]);

    /// <summary>Parses the string form; a malformed selector throws <see cref="BadRequestException"/> saying where.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return Everything;
        var parser = new Parser(text);
        return new LabelSelector(parser.ParseAll());
    }

    public override string ToString() => string.Join(",", Requirements.IsDefault ? [] : Requirements.Select(r => r.ToString()));

    private sealed class Parser(string text)
    {
        private int _pos;

        public ImmutableArray<LabelRequirement> ParseAll()
        {
            var result = ImmutableArray.CreateBuilder<LabelRequirement>();
            while (true)
            {
                SkipSpaces();
                result.Add(ParseRequirement());
                SkipSpaces();
                if (_pos >= text.Length)
                    return result.ToImmutable();
                Expect(',');
            }
        }

        private LabelRequirement ParseRequirement()
        {
            if (Peek() == '!')
            {
                _pos++;
                SkipSpaces();
                return new(ParseKey(), SelectorOperator.DoesNotExist, []);
            }
            var key = ParseKey();
            SkipSpaces();
            if (_pos >= text.Length || Peek() == ',')
                return new(key, SelectorOperator.Exists, []);
            if (TryTake("!="))
                return new(key, SelectorOperator.NotEquals, [ParseValue()]);
            if (TryTake("=="))
                return new(key, SelectorOperator.Equals, [ParseValue()]);
            if (TryTake("="))
                return new(key, SelectorOperator.Equals, [ParseValue()]);
            if (TryTakeWord("notin"))
                return new(key, SelectorOperator.NotIn, ParseSet());
            if (TryTakeWord("in"))
                return new(key, SelectorOperator.In, ParseSet());
            throw Error($"expected one of =, ==, !=, in, notin after \"{key}\"");
        }

        private ImmutableArray<string> ParseSet()
        {
            SkipSpaces();
            Expect('(');
            var values = ImmutableArray.CreateBuilder<string>();
            while (true)
            {
                SkipSpaces();
                values.Add(ReadToken(allowEmpty: true));
                SkipSpaces();
                if (TryTake(")"))
                    return values.ToImmutable();
                Expect(',');
            }
        }

        private string ParseKey()
        {
            var key = ReadToken(allowEmpty: false);
            if (!LabelSyntax.IsQualifiedName(key))
                throw Error($"invalid label key \"{key}\": {LabelSyntax.QualifiedNameRule}");
            return key;
        }

        private string ParseValue()
        {
            SkipSpaces();
            var value = ReadToken(allowEmpty: true);
            if (!LabelSyntax.IsLabelValue(value))
                throw Error($"invalid label value \"{value}\": {LabelSyntax.LabelValueRule}");
            return value;
        }

        private string ReadToken(bool allowEmpty)
        {
            var start = _pos;
            while (_pos < text.Length && !char.IsWhiteSpace(text[_pos]) && text[_pos] is not (',' or '=' or '!' or '(' or ')'))
                _pos++;
            if (_pos == start && !allowEmpty)
                throw Error("expected a label key");
            return text[start.._pos];
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipSpaces()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
                _pos++;
        }

        private bool TryTake(string token)
        {
            if (string.CompareOrdinal(text, _pos, token, 0, token.Length) != 0)
                return false;
            _pos += token.Length;
            return true;
        }

        private bool TryTakeWord(string word)
        {
            var end = _pos + word.Length;
            if (end > text.Length || string.CompareOrdinal(text, _pos, word, 0, word.Length) != 0)
                return false;
            if (end < text.Length && !(char.IsWhiteSpace(text[end]) || text[end] == '('))
                return false;
            _pos = end;
            return true;
        }

        private void Expect(char c)
        {
            if (Peek() != c)
                throw Error($"expected '{c}'");
            _pos++;
        }

        private BadRequestException Error(string what) =>
            new($"unable to parse label selector \"{text}\" at position {_pos}: {what}");
    }
}
