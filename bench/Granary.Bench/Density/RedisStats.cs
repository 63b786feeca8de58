using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Granary.Bench;

/// <summary>Reads total_commands_processed from a redis-server's INFO stats over a plain RESP connection.</summary>
internal static class RedisStats
{
    public static async Task<long?> CommandsProcessedAsync(string endpoint, CancellationToken ct)
    {
        var colon = endpoint.LastIndexOf(':');
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture), ct);
            var stream = tcp.GetStream();
            await stream.WriteAsync("*2\r\n$4\r\nINFO\r\n$5\r\nstats\r\n"u8.ToArray(), ct);
            // A bulk string: "$LEN\r\n" then LEN bytes; read until the whole of it has arrived.
            var buffer = new byte[16384];
            var read = 0;
            while (true)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), ct);
                if (n == 0)
                    return null;
                read += n;
                var text = Encoding.ASCII.GetString(buffer, 0, read);
                var header = text.IndexOf("\r\n", StringComparison.Ordinal);
                if (header > 0 && int.TryParse(text.AsSpan(1, header - 1), CultureInfo.InvariantCulture, out var length) && read >= header + 2 + length)
                    return Field(text, "total_commands_processed:");
                if (read == buffer.Length)
                    return null;
            }
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static long? Field(string info, string name)
    {
        var at = info.IndexOf(name, StringComparison.Ordinal);
        if (at < 0)
            return null;
        var end = info.IndexOf('\r', at);
        return long.TryParse(info.AsSpan(at + name.Length, end - at - name.Length), CultureInfo.InvariantCulture, out var v) ? v : null;
    }
}
