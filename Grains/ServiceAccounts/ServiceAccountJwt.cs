using System.Buffers.Text;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace Granary.Grains.ServiceAccounts;

/// <summary>
/// ServiceAccount tokens as JSON Web Tokens (RFC 7519, compact JWS), written and read with .NET's own crypto and JSON.
/// A token library would bring three packages into every host for what is here two small functions over one fixed
/// claim set; the reader is strict where a general library is lenient: one algorithm per key (no "none", no HMAC), the
/// key chosen by kid, every claim kube writes required with its type.
/// </summary>
public static class ServiceAccountJwt
{
    /// <summary>Private claims, as kube-apiserver names them.</summary>
    private const string KubernetesClaim = "kubernetes.io";

    /// <summary>Tokens longer than this are not ours (kube's are under 2 KiB); reading stops early.</summary>
    public const int MaxLength = 16 * 1024;

    public static string Encode(ServiceAccountClaims claims, TokenSigningKey key)
    {
        var header = Json(w =>
        {
            w.WriteString("alg", key.Algorithm);
            w.WriteString("kid", key.KeyId);
        });
        var payload = Json(w =>
        {
            w.WriteStartArray("aud");
            foreach (var audience in claims.Audiences)
                w.WriteStringValue(audience);
            w.WriteEndArray();
            w.WriteNumber("exp", claims.Expires.ToUnixTimeSeconds());
            w.WriteNumber("iat", claims.IssuedAt.ToUnixTimeSeconds());
            w.WriteString("iss", claims.Issuer);
            w.WriteString("jti", claims.JwtId);
            w.WriteStartObject(KubernetesClaim);
            w.WriteString("namespace", claims.Namespace);
            if (claims.Pod is { } pod)
                WriteObject(w, "pod", pod);
            if (claims.Secret is { } secret)
                WriteObject(w, "secret", secret);
            WriteObject(w, "serviceaccount", claims.ServiceAccount);
            w.WriteEndObject();
            w.WriteNumber("nbf", claims.NotBefore.ToUnixTimeSeconds());
            w.WriteString("sub", claims.Subject);
        });
        var signingInput = $"{Base64Url.EncodeToString(header)}.{Base64Url.EncodeToString(payload)}";
        var signature = key.Sign(Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>Whether <paramref name="token"/> looks like a JWT at all (three base64url parts), so other tokens are left alone cheaply.</summary>
    public static bool LooksLikeJwt(string token) =>
        token.Length <= MaxLength && token.StartsWith("eyJ", StringComparison.Ordinal) && token.Count(c => c == '.') == 2;

    /// <summary>
    /// The claims of <paramref name="token"/> when one of <paramref name="keys"/> signed it and its claims have the
    /// shape kube writes; otherwise null and why. Time, issuer and audience are the caller's to check.
    /// </summary>
    public static ServiceAccountClaims? Decode(string token, IReadOnlyList<TokenSigningKey> keys, out string? problem)
    {
        problem = null;
        var parts = token.Split('.');
        if (parts.Length != 3 || token.Length > MaxLength)
            return Fail("not a compact JWT", out problem);
        byte[] headerBytes, payloadBytes, signature;
        try
        {
            headerBytes = Base64Url.DecodeFromChars(parts[0]);
            payloadBytes = Base64Url.DecodeFromChars(parts[1]);
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (FormatException)
        {
            return Fail("a part is not base64url", out problem);
        }
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            var alg = String(header.RootElement, "alg");
            var kid = header.RootElement.TryGetProperty("kid", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            if (alg is not ("RS256" or "ES256"))
                return Fail($"algorithm {alg ?? "(none)"} is not accepted", out problem);
            var signingInput = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
            var candidates = kid is null ? keys : keys.Where(key => key.KeyId == kid).ToList();
            if (!candidates.Any(key => key.Verify(alg, signingInput, signature)))
                return Fail("the signature is not one of the trusted keys'", out problem);

            using var payload = JsonDocument.Parse(payloadBytes);
            var root = payload.RootElement;
            var kubernetes = root.GetProperty(KubernetesClaim);
            return new ServiceAccountClaims(
                String(root, "iss") ?? throw new FormatException("iss"),
                Audiences(root),
                DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("iat").GetInt64()),
                DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64()),
                String(root, "jti") ?? "",
                String(kubernetes, "namespace") ?? throw new FormatException("namespace"),
                Object(kubernetes, "serviceaccount") ?? throw new FormatException("serviceaccount"),
                Object(kubernetes, "pod"),
                Object(kubernetes, "secret"));
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return Fail("its claims are not a ServiceAccount token's", out problem);
        }
    }

    private static ServiceAccountClaims? Fail(string why, out string? problem)
    {
        problem = why;
        return null;
    }

    // "aud" is a string or an array of strings (RFC 7519 §4.1.3).
    private static ImmutableList<string> Audiences(JsonElement root) => root.TryGetProperty("aud", out var aud)
        ? aud.ValueKind == JsonValueKind.String ? [aud.GetString()!] : [.. aud.EnumerateArray().Select(a => a.GetString() ?? throw new FormatException("aud"))]
        : [];

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static BoundObject? Object(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? new BoundObject(String(value, "name") ?? throw new FormatException(name), String(value, "uid") ?? throw new FormatException(name))
            : null;

    private static void WriteObject(Utf8JsonWriter w, string name, BoundObject bound)
    {
        w.WriteStartObject(name);
        w.WriteString("name", bound.Name);
        w.WriteString("uid", bound.Uid);
        w.WriteEndObject();
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }
}
