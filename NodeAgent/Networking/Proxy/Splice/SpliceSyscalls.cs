using System.Runtime.InteropServices;

namespace Granary.NodeAgent.Networking.Proxy.Splice;

/// <summary>
/// The Linux system calls the zero-copy relay needs and .NET does not offer: splice(2), pipe2(2) with
/// F_SETPIPE_SZ, epoll(7) and eventfd(2). Calls on the hot path return -1 with the errno (no exception per
/// would-block); setup calls throw <see cref="IOException"/> naming the call and the errno's text.
/// </summary>
internal static partial class SpliceSyscalls
{
    public const int EIntr = 4;
    public const int EAgain = 11;
    public const int EInval = 22;
    public const int ENoSys = 38;

    public const uint EpollIn = 0x001;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollRdHup = 0x2000;
    public const uint EpollEdgeTriggered = 1u << 31;

    private const uint SpliceMove = 1;
    private const uint SpliceNonBlock = 2;
    private const int OCloExec = 0x80000;
    private const int ONonBlock = 0x800;
    private const int FSetPipeSize = 1031;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int ShutWrite = 1;

    /// <summary>
    /// struct epoll_event is packed (12 bytes) on x86-64 and naturally aligned (16 bytes) on arm64; the relay runs
    /// only where one of the two layouts is known.
    /// </summary>
    public static bool EpollLayoutKnown => RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    public static int EpollEventSize => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static int EpollDataOffset => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    /// <summary>Moves up to <paramref name="length"/> bytes between a socket and a pipe without copying them; never blocks.</summary>
    public static long Splice(SafeHandle from, SafeHandle to, long length, out int errno)
    {
        var moved = NativeSplice(from, 0, to, 0, (nuint)length, SpliceMove | SpliceNonBlock);
        errno = moved < 0 ? Marshal.GetLastPInvokeError() : 0;
        return moved;
    }

    /// <summary>Sends FIN on <paramref name="socket"/>: the half-close passed on once a direction is drained.</summary>
    public static int ShutdownSend(SafeHandle socket) =>
        NativeShutdown(socket, ShutWrite) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>A non-blocking, close-on-exec pipe grown to <paramref name="size"/> bytes where the kernel allows it.</summary>
    public static (FileDescriptor ReadEnd, FileDescriptor WriteEnd, int Capacity) CreatePipe(int size)
    {
        Span<int> fds = stackalloc int[2];
        if (NativePipe2(ref MemoryMarshal.GetReference(fds), OCloExec | ONonBlock) != 0)
            throw Failure("pipe2");
        var readEnd = new FileDescriptor(fds[0]);
        var writeEnd = new FileDescriptor(fds[1]);
        // F_SETPIPE_SZ answers the size it set; above /proc/sys/fs/pipe-max-size or the user's pipe quota it fails and
        // the pipe keeps the default (64 KiB), which still works, with more system calls per megabyte.
        var capacity = NativeFcntl(writeEnd, FSetPipeSize, size);
        return (readEnd, writeEnd, capacity > 0 ? capacity : 64 * 1024);
    }

    public static FileDescriptor CreateEpoll()
    {
        var fd = NativeEpollCreate1(OCloExec);
        return fd >= 0 ? new FileDescriptor(fd) : throw Failure("epoll_create1");
    }

    /// <summary>An eventfd that wakes the epoll loop when another thread hands it work.</summary>
    public static FileDescriptor CreateEventFd()
    {
        var fd = NativeEventFd(0, OCloExec | ONonBlock);
        return fd >= 0 ? new FileDescriptor(fd) : throw Failure("eventfd");
    }

    public static void SignalEventFd(FileDescriptor eventFd)
    {
        ulong one = 1;
        // EAGAIN means the counter is already far from zero: the loop is woken anyway.
        _ = NativeWrite(eventFd, ref one, sizeof(ulong));
    }

    public static void DrainEventFd(FileDescriptor eventFd)
    {
        ulong count = 0;
        _ = NativeRead(eventFd, ref count, sizeof(ulong));
    }

    /// <summary>Watches <paramref name="fd"/> on <paramref name="epoll"/>; returns 0 or the errno.</summary>
    public static int EpollAdd(FileDescriptor epoll, SafeHandle fd, uint events, ulong data)
    {
        Span<byte> ev = stackalloc byte[16];
        ev.Clear();
        MemoryMarshal.Write(ev, in events);
        MemoryMarshal.Write(ev[EpollDataOffset..], in data);
        return NativeEpollCtl(epoll, EpollCtlAdd, fd, ref MemoryMarshal.GetReference(ev)) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public static void EpollRemove(FileDescriptor epoll, SafeHandle fd)
    {
        Span<byte> ev = stackalloc byte[16];
        ev.Clear();
        // ENOENT or EBADF: the descriptor is no longer watched, which is what removing wanted.
        _ = NativeEpollCtl(epoll, EpollCtlDel, fd, ref MemoryMarshal.GetReference(ev));
    }

    /// <summary>Waits for events (-1 = forever); answers how many were written to <paramref name="events"/>, 0 on EINTR.</summary>
    public static int EpollWait(FileDescriptor epoll, Span<byte> events, int timeoutMs)
    {
        var count = NativeEpollWait(epoll, ref MemoryMarshal.GetReference(events), events.Length / EpollEventSize, timeoutMs);
        if (count >= 0)
            return count;
        return Marshal.GetLastPInvokeError() == EIntr ? 0 : throw Failure("epoll_wait");
    }

    public static (uint Events, ulong Data) EpollEventAt(ReadOnlySpan<byte> events, int index)
    {
        var ev = events.Slice(index * EpollEventSize, EpollEventSize);
        return (MemoryMarshal.Read<uint>(ev), MemoryMarshal.Read<ulong>(ev[EpollDataOffset..]));
    }

    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    private static IOException Failure(string call) => new($"{call} failed: {Describe(Marshal.GetLastPInvokeError())}");

    [LibraryImport("libc", EntryPoint = "splice", SetLastError = true)]
    private static partial nint NativeSplice(SafeHandle fdIn, nint offIn, SafeHandle fdOut, nint offOut, nuint length, uint flags);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    private static partial int NativeShutdown(SafeHandle socket, int how);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int NativePipe2(ref int fds, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int NativeFcntl(SafeHandle fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int NativeEpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int NativeEpollCtl(SafeHandle epoll, int op, SafeHandle fd, ref byte ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int NativeEpollWait(SafeHandle epoll, ref byte events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int NativeEventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint NativeWrite(SafeHandle fd, ref ulong value, nuint count);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint NativeRead(SafeHandle fd, ref ulong value, nuint count);
}
