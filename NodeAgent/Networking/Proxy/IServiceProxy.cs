using System.Collections.Immutable;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>
/// Realizes a <see cref="ProxyPlan"/>. The userspace <see cref="SocketProxy"/> is one backend; a kernel one (nftables
/// rules) can replace it behind this contract. The backend reads the endpoints of a Service itself, the first time
/// traffic for it arrives, and follows their changes.
/// </summary>
public interface IServiceProxy : IAsyncDisposable
{
    /// <summary>
    /// Makes the proxy do what <paramref name="plan"/> says: opens listeners it lacks, closes those no longer planned
    /// and updates the rest in place. Connections already open are never cut, by this or by an endpoint change.
    /// Idempotent; a listener that cannot be opened now is returned (and tried again by the next call).
    /// </summary>
    ImmutableArray<ListenerFailure> Apply(ProxyPlan plan);
}

/// <summary>A planned listener the proxy could not open, and why (e.g. the port is taken by another program).</summary>
public sealed record ListenerFailure(ProxyListener Listener, string Reason);
