using System.Net;
using System.Net.Sockets;

namespace Granary.NodeAgent.Networking.Proxy.Splice;

/// <summary>
/// Whether this host can splice TCP: asked once per process by relaying one byte socket → pipe → socket over
/// loopback, so a kernel, seccomp profile or libc that refuses splice(2) (EINVAL, ENOSYS, EPERM) or epoll is found
/// before a client connection depends on it.
/// </summary>
internal sealed record SpliceSupport(bool Available, string Reason)
{
    private static readonly Lazy<SpliceSupport> s_probed = new(Probe);

    public static SpliceSupport OfThisHost => s_probed.Value;

    public static SpliceSupport Unavailable(string reason) => new(false, reason);

    private static SpliceSupport Probe()
    {
        if (!OperatingSystem.IsLinux())
            return Unavailable("splice(2) is Linux-only");
        if (!SpliceSyscalls.EpollLayoutKnown)
            return Unavailable($"the epoll event layout of {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture} is not known here (x64 and arm64 are)");
        try
        {
            using var epoll = SpliceSyscalls.CreateEpoll();
            var (readEnd, writeEnd, _) = SpliceSyscalls.CreatePipe(SpliceTcpRelay.PipeSize);
            using var pipe = new SplicePipe(readEnd, writeEnd, 0);
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            using var near = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            near.Connect(listener.LocalEndPoint!);
            using var far = listener.Accept();
            near.Send([42]);
            if (!far.Poll(TimeSpan.FromSeconds(2), SelectMode.SelectRead))
                return Unavailable("the loopback probe connection carried no byte within 2 s");
            far.Blocking = false;
            if (SpliceSyscalls.Splice(far.SafeHandle, pipe.WriteEnd, 1, out var errno) != 1)
                return Unavailable($"splice(2) from a TCP socket failed: {SpliceSyscalls.Describe(errno)}");
            if (SpliceSyscalls.Splice(pipe.ReadEnd, far.SafeHandle, 1, out errno) != 1)
                return Unavailable($"splice(2) to a TCP socket failed: {SpliceSyscalls.Describe(errno)}");
            var echoed = new byte[1];
            near.ReceiveTimeout = 2000;
            return near.Receive(echoed) == 1 && echoed[0] == 42
                ? new SpliceSupport(true, "splice(2) relays loopback TCP")
                : Unavailable("the byte spliced back over loopback did not arrive intact");
        }
        catch (Exception e) when (e is IOException or SocketException or DllNotFoundException or EntryPointNotFoundException)
        {
            return Unavailable($"{e.GetType().Name}: {e.Message}");
        }
    }
}
