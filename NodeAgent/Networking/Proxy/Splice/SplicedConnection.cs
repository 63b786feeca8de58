using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Granary.NodeAgent.Networking.Proxy.Splice;

/// <summary>
/// A relayed connection owned by one <see cref="SpliceLoop"/>: both sockets, a <see cref="SpliceDirection"/> each way
/// and the task its caller awaits. Every method but <see cref="Completion"/> runs on the loop's thread, so the
/// sockets are closed by no one else while the loop uses their descriptors.
/// </summary>
internal sealed class SplicedConnection(long id, Socket client, Socket backend)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SpliceDirection? _up;
    private SpliceDirection? _down;
    private bool _referenced;

    public long Id => id;

    /// <summary>Completes when both sockets are closed, gracefully or by a reset; it never faults.</summary>
    public Task Completion => _done.Task;

    public bool Closed => _done.Task.IsCompleted;

    public SafeHandle ClientHandle => client.SafeHandle;

    public SafeHandle BackendHandle => backend.SafeHandle;

    /// <summary>Takes a pipe per direction and holds both descriptors open until the connection closes.</summary>
    public void Open(PipePool pipes)
    {
        // Non-blocking sockets make splice answer EAGAIN instead of stalling the loop (SPLICE_F_NONBLOCK covers the pipe only).
        client.Blocking = false;
        backend.Blocking = false;
        var clientAdded = false;
        var backendAdded = false;
        client.SafeHandle.DangerousAddRef(ref clientAdded);
        backend.SafeHandle.DangerousAddRef(ref backendAdded);
        _referenced = clientAdded && backendAdded;
        if (!_referenced)
        {
            if (clientAdded)
                client.SafeHandle.DangerousRelease();
            if (backendAdded)
                backend.SafeHandle.DangerousRelease();
            throw new ObjectDisposedException("a relayed socket was closed before the relay started");
        }
        // The directions hold the rented pipes until Close hands them back to the pool (or disposes them after a reset).
#pragma warning disable CA2000
        _up = new SpliceDirection(client.SafeHandle, backend.SafeHandle, pipes.Rent());
        _down = new SpliceDirection(backend.SafeHandle, client.SafeHandle, pipes.Rent());
#pragma warning restore CA2000
    }

    /// <summary>Pumps both directions; answers whether both finished (the caller closes), failed, or need another turn without an event.</summary>
    public StepOutcome Step(out int errno)
    {
        var up = _up!.Pump(out errno);
        if (up == PumpOutcome.Failed)
            return StepOutcome.Failed;
        var down = _down!.Pump(out errno);
        if (down == PumpOutcome.Failed)
            return StepOutcome.Failed;
        if (up == PumpOutcome.Finished && down == PumpOutcome.Finished)
            return StepOutcome.Finished;
        return up == PumpOutcome.TurnUsedUp || down == PumpOutcome.TurnUsedUp ? StepOutcome.Busy : StepOutcome.Waiting;
    }

    /// <summary>
    /// Closes both sockets (with RST when <paramref name="reset"/>, else they already sent their FINs) and gives the
    /// pipes back; a pipe that still holds bytes is closed by the pool instead of reused. Idempotent.
    /// </summary>
    public void Close(PipePool pipes, bool reset)
    {
        if (Closed)
            return;
        if (_up is not null)
            pipes.Return(_up.Pipe);
        if (_down is not null)
            pipes.Return(_down.Pipe);
        if (_referenced)
        {
            client.SafeHandle.DangerousRelease();
            backend.SafeHandle.DangerousRelease();
            _referenced = false;
        }
        if (reset)
        {
            TcpRelay.Reset(client);
            TcpRelay.Reset(backend);
        }
        else
        {
            client.Dispose();
            backend.Dispose();
        }
        _done.TrySetResult();
    }
}

internal enum StepOutcome
{
    Waiting,
    Busy,
    Finished,
    Failed,
}
