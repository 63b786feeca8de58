using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Grains.Workloads;

/// <summary>
/// The pod-template-hash a Deployment gives each ReplicaSet, computed as Kubernetes' ComputeHash does: FNV-1a (32 bit)
/// over the template, then the collision count, printed in decimal and encoded with the alphabet of generated names
/// (no vowels, so no words). The template is hashed in its canonical JSON form (sorted maps, nulls omitted), so the
/// hash is the same on every silo and across restarts; it differs from kube's value, which hashes Go's in-memory form.
/// </summary>
public static class PodTemplateHash
{
    public const string Label = "pod-template-hash";

    private const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    public static string Compute(PodTemplateSpec template, int? collisionCount)
    {
        var hash = OffsetBasis;
        hash = Add(hash, Encoding.UTF8.GetBytes(GranaryJson.Serialize(WithoutHashLabel(template))));
        if (collisionCount is { } count)
        {
            // Kubernetes writes the count as 8 bytes, of which only the first 4 are filled (little-endian uint32).
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, unchecked((uint)count));
            hash = Add(hash, bytes);
        }
        return SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The template without the hash label, as it is compared and hashed.</summary>
    public static PodTemplateSpec WithoutHashLabel(PodTemplateSpec template) =>
        template.Metadata?.Labels is { } labels && labels.ContainsKey(Label)
            ? template with { Metadata = template.Metadata with { Labels = labels.Remove(Label) } }
            : template;

    private static uint Add(uint hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
            hash = unchecked((hash ^ b) * Prime);
        return hash;
    }

    private static string SafeEncode(string text) =>
        string.Create(text.Length, text, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
                span[i] = SafeAlphabet[s[i] % SafeAlphabet.Length];
        });
}
