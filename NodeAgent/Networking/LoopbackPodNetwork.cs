using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Granary.NodeAgent.Networking;

/// <summary>
/// One loopback address per pod from a block in 127.0.0.0/8 (e.g. 127.1.1.0/24), so that several pods on one
/// machine can listen on the same port without a bridge. Linux answers on all of 127.0.0.0/8 with no set-up.
/// Hands out the lowest free address, skipping the block's first two (network, node) and its last (broadcast).
/// </summary>
public sealed class LoopbackPodNetwork : IPodNetwork
{
    private readonly uint _first;
    private readonly uint _last;
    private readonly Dictionary<string, uint> _byPod = new(StringComparer.Ordinal);

    /// <summary>Throws <see cref="ArgumentException"/> for a block that is not IPv4 CIDR inside 127.0.0.0/8, /8 to /30.</summary>
    public LoopbackPodNetwork(string cidr)
    {
        var parts = cidr.Trim().Split('/');
        if (parts.Length != 2
            || !IPAddress.TryParse(parts[0], out var address) || address.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            throw new ArgumentException($"pod CIDR '{cidr}' is not an IPv4 block: write ADDRESS/PREFIX, e.g. 127.1.1.0/24", nameof(cidr));
        }
        if (prefix is < 8 or > 30)
            throw new ArgumentException($"pod CIDR '{cidr}' has prefix /{prefix}: use /8 to /30 (/24 holds 253 pods)", nameof(cidr));

        var mask = uint.MaxValue << (32 - prefix);
        var network = ToUInt(address) & mask;
        if (network >> 24 != 127)
        {
            throw new ArgumentException(
                $"pod CIDR '{cidr}' is not in 127.0.0.0/8: the loopback pod network hands out loopback addresses only; "
                + "use a block such as 127.1.1.0/24, or the bridge network for routable pod addresses", nameof(cidr));
        }

        Cidr = $"{ToAddress(network)}/{prefix}";
        _first = network + 2;
        _last = (network | ~mask) - 1;
    }

    public string Name => PodNetworks.Loopback;

    /// <summary>The block, normalised to its network address.</summary>
    public string Cidr { get; }

    /// <summary>How many pods the block holds.</summary>
    public long Capacity => (long)_last - _first + 1;

    /// <summary>
    /// The pod's address: the one its running container has (even outside the block: a pod keeps its address
    /// for life), else the one it was given before, else the lowest address neither given nor in <paramref name="inUse"/>.
    /// </summary>
    public string? AssignAddress(string podUid, string? existing, IReadOnlyCollection<string> inUse)
    {
        lock (_byPod)
        {
            if (existing is not null && IPAddress.TryParse(existing, out var current))
            {
                if (current.AddressFamily == AddressFamily.InterNetwork && ToUInt(current) is var value && value >= _first && value <= _last)
                    _byPod[podUid] = value;
                return existing;
            }
            if (_byPod.TryGetValue(podUid, out var given))
                return ToAddress(given);

            var taken = new HashSet<uint>(_byPod.Values);
            foreach (var text in inUse)
            {
                if (IPAddress.TryParse(text, out var used) && used.AddressFamily == AddressFamily.InterNetwork)
                    taken.Add(ToUInt(used));
            }
            for (var candidate = _first; candidate <= _last; candidate++)
            {
                if (taken.Contains(candidate))
                    continue;
                _byPod[podUid] = candidate;
                return ToAddress(candidate);
            }
        }
        throw new PodAddressExhaustedException(
            $"pod network {Cidr} has no free address: all {Capacity} are in use; give the node a larger block (pod CIDR), e.g. a /16");
    }

    public void Release(string podUid)
    {
        lock (_byPod)
            _byPod.Remove(podUid);
    }

    private static uint ToUInt(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private static string ToAddress(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes).ToString();
    }
}
