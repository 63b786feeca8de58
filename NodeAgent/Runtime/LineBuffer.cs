using System.Buffers;
using System.Text;

namespace Granary.NodeAgent.Runtime;

/// <summary>
/// Turns chunks of output into lines: a partial line waits for its newline (or the end of the stream), so a
/// line split across reads comes out whole. A line longer than <see cref="MaxLineBytes"/> is cut, as Docker
/// cuts its log messages, so one endless line cannot hold memory hostage.
/// </summary>
internal sealed class LineBuffer
{
    public const int MaxLineBytes = 16 * 1024;

    private readonly ArrayBufferWriter<byte> _partial = new();

    /// <summary>Adds a chunk and returns the lines it completes, without their newlines.</summary>
    public List<string> Append(ReadOnlySpan<byte> chunk)
    {
        var lines = new List<string>();
        while (!chunk.IsEmpty)
        {
            var newline = chunk.IndexOf((byte)'\n');
            var room = MaxLineBytes - _partial.WrittenCount;
            if (newline >= 0 && newline <= room)
            {
                _partial.Write(chunk[..newline]);
                lines.Add(Take());
                chunk = chunk[(newline + 1)..];
            }
            else if (chunk.Length < room)
            {
                _partial.Write(chunk);
                break;
            }
            else
            {
                _partial.Write(chunk[..room]);
                lines.Add(Take());
                chunk = chunk[room..];
            }
        }
        return lines;
    }

    /// <summary>The partial line left at the end of the stream, or null when there is none.</summary>
    public string? Flush() => _partial.WrittenCount == 0 ? null : Take();

    private string Take()
    {
        var line = Encoding.UTF8.GetString(_partial.WrittenSpan);
        _partial.ResetWrittenCount();
        return line;
    }
}
