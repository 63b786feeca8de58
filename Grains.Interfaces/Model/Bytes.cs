using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Serialization;
using Granary.Serialization;

namespace Granary.Model;

/// <summary>
/// Binary data (Secret <c>data</c>, ConfigMap <c>binaryData</c>): base64 on the wire, as Kubernetes' <c>[]byte</c>.
/// Compares by content, so an unchanged object is recognised as unchanged. The default value is empty.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.Bytes")]
[JsonConverter(typeof(BytesJsonConverter))]
public readonly record struct Bytes
{
    [Id(0)] private readonly ImmutableArray<byte> _value;

    public Bytes(ImmutableArray<byte> value) => _value = value;

    public static Bytes FromUtf8(string text) => new(ImmutableArray.Create(Encoding.UTF8.GetBytes(text)));

    /// <summary>Decodes base64; throws <see cref="FormatException"/> (whose message never holds the input) when it is not.</summary>
    public static Bytes FromBase64(string base64) => new(ImmutableArray.Create(Convert.FromBase64String(base64)));

    public ImmutableArray<byte> Value => _value.IsDefault ? [] : _value;

    public int Length => _value.IsDefault ? 0 : _value.Length;

    public ReadOnlySpan<byte> Span => _value.IsDefault ? default : _value.AsSpan();

    public string ToBase64() => Convert.ToBase64String(Span);

    /// <summary>The bytes as UTF-8 text (invalid sequences replaced); for consumers that need text, never for logs.</summary>
    public string ToUtf8() => Encoding.UTF8.GetString(Span);

    public bool Equals(Bytes other) => Span.SequenceEqual(other.Span);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Span);
        return hash.ToHashCode();
    }

    // Never the content: these values are Secrets' data, and a ToString reaches logs and messages too easily.
    public override string ToString() => $"{Length} bytes";
}
