using System.Collections.Immutable;
using System.Net;

namespace Granary.NodeAgent.Networking.Proxy.Nftables;

/// <summary>
/// One planned listener as the kernel realizes it: the address it matches and the endpoints it may DNAT to (already
/// chosen by <see cref="ProxyPlanner.Backends"/>, so traffic policy Local is applied). Empty backends: the address
/// rejects new connections.
/// </summary>
public sealed record KernelListener(ProxyListener Listener, ImmutableArray<IPEndPoint> Backends);
