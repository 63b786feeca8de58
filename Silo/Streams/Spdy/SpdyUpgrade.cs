using Microsoft.AspNetCore.Http.Features;

namespace Granary.Silo.Streams.Spdy;

/// <summary>
/// An HTTP/1.1 request to switch to SPDY/3.1 (<c>Upgrade: SPDY/3.1</c>, as kubectl 1.30 and earlier send for
/// port-forward, and 1.29 and earlier for exec and attach), with the stream protocols it offers in
/// X-Stream-Protocol-Version. Accepting answers 101 with the chosen protocol and gives the raw connection.
/// </summary>
internal sealed class SpdyUpgrade
{
    public const string HeaderProtocolVersion = "X-Stream-Protocol-Version";
    private const string Spdy31 = "SPDY/3.1";

    private readonly HttpContext _context;
    private readonly IHttpUpgradeFeature _feature;

    private SpdyUpgrade(HttpContext context, IHttpUpgradeFeature feature, IReadOnlyList<string> offered)
    {
        _context = context;
        _feature = feature;
        Offered = offered;
    }

    /// <summary>The stream protocols offered, in the client's order of preference.</summary>
    public IReadOnlyList<string> Offered { get; }

    /// <summary>The request's SPDY upgrade; null when it asks for none (or the connection cannot be upgraded, as HTTP/2 cannot).</summary>
    public static SpdyUpgrade? Requested(HttpContext context)
    {
        var upgrade = context.Request.Headers.Upgrade.ToString();
        if (!upgrade.Contains(Spdy31, StringComparison.OrdinalIgnoreCase))
            return null;
        if (context.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true } feature)
            return null;
        var offered = context.Request.Headers[HeaderProtocolVersion]
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        return new SpdyUpgrade(context, feature, offered);
    }

    public bool Offers(string protocol) => Offered.Contains(protocol, StringComparer.Ordinal);

    public string Describe() => Offered.Count == 0 ? "nothing" : string.Join(", ", Offered);

    /// <summary>Answers 101 Switching Protocols naming <paramref name="protocol"/>, and returns the connection.</summary>
    public async Task<Stream> AcceptAsync(string protocol)
    {
        _context.Response.Headers.Upgrade = Spdy31;
        _context.Response.Headers[HeaderProtocolVersion] = protocol;
        return await _feature.UpgradeAsync();
    }
}
