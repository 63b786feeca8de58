using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Granary.Hostile;

/// <summary>
/// A Kubernetes API to send hostile requests to: its URL and, for HTTPS, the CA its certificate comes from and a
/// bearer token. Every request goes over its own connection as raw HTTP/1.1 bytes ("Connection: close"), read to the
/// end, so that a malformed request cannot leave a connection in a state that spoils the next one.
/// </summary>
public sealed class HostileTarget(Uri server, X509Certificate2? certificateAuthority, string? token)
{
    private const int MaxResponseBytes = 16 * 1024 * 1024;

    public Uri Server { get; } = server;

    public string? Token { get; } = token;

    /// <summary>Sends one request and reads the whole answer; status 0 when the server closed without one.</summary>
    public async Task<HostileResponse> SendAsync(HostileRequest request, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await using var stream = await ConnectAsync(deadline.Token);
            await stream.WriteAsync(Head(request), deadline.Token);
            if (request.Body is { Length: > 0 } body)
                await WriteBodyAsync(stream, body, deadline.Token);
            await stream.FlushAsync(deadline.Token);
            return Parse(await ReadToEndAsync(stream, deadline.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new HostileResponse(0, "", null, e is OperationCanceledException ? "no answer in time" : $"connection failed: {e.GetType().Name}");
        }
    }

    /// <summary>A connection to the server: TCP, with TLS trusting only the CA when the URL is https.</summary>
    public async Task<Stream> ConnectAsync(CancellationToken ct)
    {
        // The returned OwningStream owns the connection (and its TLS stream) and disposes both; a failure disposes them here.
#pragma warning disable CA2000
        var tcp = new TcpClient();
#pragma warning restore CA2000
        try
        {
            tcp.NoDelay = true;
            await tcp.ConnectAsync(Server.Host, Server.Port, ct);
            Stream stream = tcp.GetStream();
            if (Server.Scheme == Uri.UriSchemeHttps)
            {
#pragma warning disable CA2000
                var tls = new SslStream(stream, leaveInnerStreamOpen: false, (_, presented, _, errors) => Trusted(presented, errors));
#pragma warning restore CA2000
                try
                {
                    await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = Server.Host }, ct);
                }
                catch
                {
                    await tls.DisposeAsync();
                    throw;
                }
                stream = tls;
            }
            return new OwningStream(stream, tcp);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>The request line and headers, as bytes (Latin-1, so a test can put any byte into a header).</summary>
    public byte[] Head(HostileRequest request)
    {
        var head = new StringBuilder();
        head.Append(request.Method).Append(' ').Append(request.Path).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(Server.Authority).Append("\r\n");
        head.Append("Connection: close\r\n");
        if (Token is not null && !request.Headers.Any(h => h.Name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)))
            head.Append("Authorization: Bearer ").Append(Token).Append("\r\n");
        if (request.ContentType is not null)
            head.Append("Content-Type: ").Append(request.ContentType).Append("\r\n");
        if (request.Body is not null && !request.Headers.Any(h => h.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || h.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)))
            head.Append("Content-Length: ").Append(request.Body.Length).Append("\r\n");
        foreach (var (name, value) in request.Headers)
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        head.Append("\r\n");
        return Encoding.Latin1.GetBytes(head.ToString());
    }

    private static async Task WriteBodyAsync(Stream stream, byte[] body, CancellationToken ct)
    {
        try
        {
            await stream.WriteAsync(body, ct);
        }
        catch (IOException)
        {
            // The server may refuse a body before it is all sent (413 on its Content-Length): its answer is still read.
        }
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, ct)) > 0 && buffer.Length < MaxResponseBytes)
                buffer.Write(chunk, 0, read);
        }
        catch (IOException) when (buffer.Length > 0)
        {
            // Reset after answering (a body it did not read): the answer is what counts.
        }
        return buffer.ToArray();
    }

    /// <summary>The status code, the headers and the body (chunks joined) of a raw HTTP/1.1 response.</summary>
    public static HostileResponse Parse(byte[] raw)
    {
        var text = Encoding.Latin1.GetString(raw);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (raw.Length == 0 || end < 0)
            return new HostileResponse(0, "", null, raw.Length == 0 ? "the server closed the connection without an answer" : "a truncated answer");
        var lines = text[..end].Split("\r\n");
        var statusParts = lines[0].Split(' ', 3);
        if (statusParts.Length < 2 || !int.TryParse(statusParts[1], out var code))
            return new HostileResponse(0, "", null, $"not an HTTP answer: {lines[0]}");
        var headers = string.Join('\n', lines.Skip(1));
        var bodyBytes = raw.AsSpan(end + 4).ToArray();
        if (lines.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && l.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
            bodyBytes = Unchunk(bodyBytes);
        return new HostileResponse(code, headers, Encoding.UTF8.GetString(bodyBytes), null);
    }

    private static byte[] Unchunk(byte[] body)
    {
        using var output = new MemoryStream();
        var at = 0;
        while (at < body.Length)
        {
            var lineEnd = Array.IndexOf(body, (byte)'\n', at);
            if (lineEnd < 0)
                break;
            var sizeText = Encoding.Latin1.GetString(body, at, lineEnd - at).Trim().Split(';')[0];
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
                break;
            at = lineEnd + 1;
            output.Write(body, at, Math.Min(size, body.Length - at));
            at += size + 2;
        }
        return output.ToArray();
    }

    private bool Trusted(X509Certificate? presented, SslPolicyErrors errors)
    {
        if (certificateAuthority is null)
            return errors == SslPolicyErrors.None;
        if (presented is null)
            return false;
        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(certificateAuthority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>A stream that also disposes the TCP client under it.</summary>
    private sealed class OwningStream(Stream inner, TcpClient tcp) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                tcp.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

/// <summary>A raw answer: status (0 for none), header lines, body text, and why there was none.</summary>
public sealed record HostileResponse(int StatusCode, string Headers, string? Body, string? Failure)
{
    /// <summary>The Kubernetes Status in the body: its code and message, or null when the body is not one.</summary>
    public (int Code, string Reason, string Message)? Status()
    {
        if (string.IsNullOrEmpty(Body))
            return null;
        try
        {
            using var document = JsonDocument.Parse(Body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String || kind.GetString() != "Status")
                return null;
            var code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : 0;
            var reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "";
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
            return (code, reason, message);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
