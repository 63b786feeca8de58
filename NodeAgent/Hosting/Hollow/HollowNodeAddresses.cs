using System.Globalization;

namespace Granary.NodeAgent.Hosting.Hollow;

/// <summary>
/// Where hollow node <c>i</c> lives: its name (prefix and a zero-padded index), its address in 127.3.0.0/16 and its
/// pod block, a /24 carved from 127.64.0.0/10. Pure, so processes started with different first indexes never collide.
/// Nothing listens on these addresses: the Node only names them, and pods of the simulated runtime take theirs from the block.
/// </summary>
public static class HollowNodeAddresses
{
    /// <summary>Addresses 127.3.0.1 … 127.3.255.254: the network and broadcast addresses of the /16 are left out.</summary>
    public const int MaxNodes = 65534;

    public static string Name(string prefix, int index) => prefix + index.ToString("D5", CultureInfo.InvariantCulture);

    public static string NodeIp(int index)
    {
        Check(index);
        var host = index + 1;
        return $"127.3.{host >> 8}.{host & 255}";
    }

    /// <summary>127.64.0.0/10 holds 16,384 /24s; node i takes the i-th, so more nodes than that share none.</summary>
    public static string PodCidr(int index)
    {
        Check(index);
        if (index >= 16384)
            throw new ArgumentOutOfRangeException(nameof(index), index, "127.64.0.0/10 holds pod blocks for 16,384 hollow nodes; start fewer");
        return $"127.{64 + (index >> 8)}.{index & 255}.0/24";
    }

    private static void Check(int index)
    {
        if (index is < 0 or >= MaxNodes)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"a hollow node's index is in [0, {MaxNodes})");
    }
}
