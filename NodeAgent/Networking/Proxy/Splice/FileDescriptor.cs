using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Granary.NodeAgent.Networking.Proxy.Splice;

/// <summary>A Linux file descriptor the relay opened itself (a pipe end, the epoll instance, the wake-up eventfd).</summary>
internal sealed partial class FileDescriptor : SafeHandleMinusOneIsInvalid
{
    public FileDescriptor(int fd)
        : base(ownsHandle: true) => SetHandle(fd);

    protected override bool ReleaseHandle() => NativeClose((int)handle) == 0;

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int NativeClose(int fd);
}
