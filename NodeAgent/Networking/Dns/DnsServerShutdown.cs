using ARSoft.Tools.Net.Dns;

namespace Granary.NodeAgent.Networking.Dns;

/// <summary>
/// Stops an ARSoft <see cref="DnsServer"/>. Its <c>Stop</c> waits for the listener tasks, which end cancelled when a
/// stop races with a listener that is still starting or receiving: that is how they stop, not a failure, so it is not
/// thrown at whoever stops the server (the agent's shutdown, a test's dispose).
/// </summary>
public static class DnsServerShutdown
{
    public static void Stop(DnsServer server)
    {
        try
        {
            server.Stop();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(inner => inner is OperationCanceledException))
        {
        }
    }
}
