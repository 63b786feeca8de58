namespace Granary.NodeAgent.Networking.Proxy.Splice;

/// <summary>
/// Keeps empty pipes of one epoll loop for the next connections, so a short connection costs no pipe2/fcntl/close.
/// Used only on the loop's thread. A pipe still holding bytes (its connection was reset) is closed, never pooled.
/// </summary>
internal sealed class PipePool(int pipeSize, int maxPooled) : IDisposable
{
    private readonly Stack<SplicePipe> _idle = new();

    public SplicePipe Rent()
    {
        if (_idle.TryPop(out var pipe))
            return pipe;
        var (readEnd, writeEnd, capacity) = SpliceSyscalls.CreatePipe(pipeSize);
        return new SplicePipe(readEnd, writeEnd, capacity);
    }

    public void Return(SplicePipe pipe)
    {
        if (pipe.Buffered == 0 && _idle.Count < maxPooled)
            _idle.Push(pipe);
        else
            pipe.Dispose();
    }

    public void Dispose()
    {
        while (_idle.TryPop(out var pipe))
            pipe.Dispose();
    }
}
