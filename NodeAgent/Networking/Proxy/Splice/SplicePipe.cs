namespace Granary.NodeAgent.Networking.Proxy.Splice;

/// <summary>
/// The kernel buffer one relay direction splices through: bytes move socket → pipe → socket as page references,
/// never through user memory. <see cref="Buffered"/> counts what is in it; only an empty pipe may be reused.
/// </summary>
internal sealed class SplicePipe(FileDescriptor readEnd, FileDescriptor writeEnd, int capacity) : IDisposable
{
    public FileDescriptor ReadEnd => readEnd;

    public FileDescriptor WriteEnd => writeEnd;

    public int Capacity => capacity;

    public long Buffered { get; set; }

    public void Dispose()
    {
        readEnd.Dispose();
        writeEnd.Dispose();
    }
}
