namespace Granary.NodeAgent.Networking.Proxy.Nftables;

/// <summary>
/// Removes a node's nftables table (kube-proxy's <c>--cleanup</c>): the agent keeps it across restarts on purpose,
/// so switching back to the relay or uninstalling the agent has to take it away.
/// </summary>
public static class NftablesCleanup
{
    /// <summary>Deletes the table of <paramref name="nodeName"/>; returns its name. Absent already is fine.</summary>
    public static string Remove(string nodeName, NftProgram nft)
    {
        var table = NftablesRuleset.TableName(nodeName);
        nft.Apply(NftablesRuleset.Removal(table));
        return table;
    }
}
