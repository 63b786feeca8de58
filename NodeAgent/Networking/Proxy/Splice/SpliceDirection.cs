using System.Runtime.InteropServices;

namespace Granary.NodeAgent.Networking.Proxy.Splice;

/// <summary>
/// One direction of a spliced connection: source socket → pipe → destination socket. Driven edge-triggered, so
/// <see cref="Pump"/> keeps moving bytes until each system call it needs would block; a later readiness event of
/// either socket resumes it. The source's end of stream becomes a FIN on the destination once the pipe is drained.
/// </summary>
internal sealed class SpliceDirection(SafeHandle source, SafeHandle destination, SplicePipe pipe)
{
    /// <summary>Splice rounds one pump may take before other connections get their turn (a round moves up to a pipe).</summary>
    private const int RoundsPerTurn = 16;

    private bool _sourceEnded;

    public SplicePipe Pipe => pipe;

    public bool Finished { get; private set; }

    /// <summary>Moves bytes until both sockets would block, the direction finishes, its turn is used up, or a call fails.</summary>
    public PumpOutcome Pump(out int errno)
    {
        errno = 0;
        if (Finished)
            return PumpOutcome.Finished;
        for (var round = 0; round < RoundsPerTurn; round++)
        {
            var moved = false;
            if (!_sourceEnded && pipe.Buffered < pipe.Capacity)
            {
                var read = SpliceSyscalls.Splice(source, pipe.WriteEnd, pipe.Capacity - pipe.Buffered, out errno);
                if (read > 0)
                    (pipe.Buffered, moved) = (pipe.Buffered + read, true);
                else if (read == 0)
                    (_sourceEnded, moved) = (true, true);
                else if (errno == SpliceSyscalls.EIntr)
                    moved = true;
                else if (errno != SpliceSyscalls.EAgain)
                    return PumpOutcome.Failed;
            }
            if (pipe.Buffered > 0)
            {
                var written = SpliceSyscalls.Splice(pipe.ReadEnd, destination, pipe.Buffered, out errno);
                if (written > 0)
                    (pipe.Buffered, moved) = (pipe.Buffered - written, true);
                else if (written < 0 && errno == SpliceSyscalls.EIntr)
                    moved = true;
                else if (written == 0 || errno != SpliceSyscalls.EAgain)
                    return PumpOutcome.Failed;
            }
            if (_sourceEnded && pipe.Buffered == 0)
            {
                errno = SpliceSyscalls.ShutdownSend(destination);
                if (errno != 0)
                    return PumpOutcome.Failed;
                Finished = true;
                return PumpOutcome.Finished;
            }
            if (!moved)
            {
                errno = 0;
                return PumpOutcome.Waiting;
            }
        }
        errno = 0;
        return PumpOutcome.TurnUsedUp;
    }
}

internal enum PumpOutcome
{
    /// <summary>Both sockets would block: the next readiness event resumes the direction.</summary>
    Waiting,

    /// <summary>More may be ready, but other connections go first; no event will come for this, so the loop must call again.</summary>
    TurnUsedUp,

    /// <summary>The source ended and its FIN was passed on.</summary>
    Finished,

    /// <summary>A socket failed (reset, broken pipe): the connection is reset both ways.</summary>
    Failed,
}
