using System.Globalization;
using System.Text;

namespace Granary.NodeAgent.Networking.Proxy.Nftables;

/// <summary>
/// Renders the whole of the agent's nftables table as one <c>nft -f -</c> script, without touching the kernel. The
/// script creates the table if absent, deletes it and declares it anew, so the kernel swaps old rules for new in one
/// transaction (a packet sees either, never a mix). The layout follows kube-proxy's nftables mode:
/// <list type="bullet">
/// <item>map <c>services</c>: destination address . protocol . port → goto the listener's chain, consulted by the
/// nat <c>prerouting</c> hook (traffic from elsewhere) and the nat <c>output</c> hook (traffic from this host,
/// including to 127.x cluster IPs);</item>
/// <item>a listener's chain picks an endpoint: the client's remembered one under sessionAffinity ClientIP (a dynamic
/// set per endpoint whose elements time out), else <c>numgen random mod N</c>; each endpoint's chain DNATs;</item>
/// <item>map <c>no-endpoint-services</c>: addresses of listeners without endpoints, rejected (TCP reset, ICMP port
/// unreachable for UDP) by filter chains that run before NAT;</item>
/// <item>set <c>masquerade-nodeports</c>: node ports with externalTrafficPolicy Cluster; packets arriving there from
/// elsewhere are marked and masqueraded on their way to an endpoint, so replies return through this node.</item>
/// </list>
/// </summary>
public static class NftablesRuleset
{
    /// <summary>The packet mark that asks the postrouting chain to masquerade (kube-proxy's bit).</summary>
    public const string MasqueradeMark = "0x00004000";

    private const string Indent = "\t";

    /// <summary>
    /// The table's name for a node: <c>granary-</c> and the node name with everything but lowercase letters, digits
    /// and dashes turned into dashes, cut to fit nftables' 256-byte limit; a hash keeps cut names apart.
    /// </summary>
    public static string TableName(string nodeName)
    {
        var cleaned = new StringBuilder("granary-");
        foreach (var c in nodeName.ToLowerInvariant())
            cleaned.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' ? c : '-');
        if (cleaned.Length <= 64)
            return cleaned.ToString();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(nodeName)))[..8];
        return $"{cleaned.ToString(0, 55)}-{hash}";
    }

    /// <summary>
    /// The script that makes <paramref name="table"/> carry exactly <paramref name="listeners"/>.
    /// <paramref name="guardLocalnet"/> adds the rule that goes with route_localnet=1: packets from elsewhere to a
    /// 127.x address are dropped unless this table DNATed them there.
    /// </summary>
    public static string Render(string table, IReadOnlyList<KernelListener> listeners, bool guardLocalnet)
    {
        var script = new StringBuilder();
        // "add" makes the delete succeed on the first run; both and the declaration are one transaction.
        script.Append(CultureInfo.InvariantCulture, $"add table ip {table}\n");
        script.Append(CultureInfo.InvariantCulture, $"delete table ip {table}\n");
        script.Append(CultureInfo.InvariantCulture, $"table ip {table} {{\n");

        var served = listeners.Where(l => !l.Backends.IsEmpty).ToList();
        var refused = listeners.Where(l => l.Backends.IsEmpty).ToList();
        Map(script, "services", served.Select(l => $"{Key(l.Listener)} : goto {ServiceChain(l.Listener)}"));
        Map(script, "no-endpoint-services", refused.Select(l => $"{Key(l.Listener)} : goto reject-service"));
        Lines(script, 1, ["set masquerade-nodeports {",
            $"{Indent}type ipv4_addr . inet_proto . inet_service",
            .. Elements(served.Where(l => l.Listener.Role == ListenerRole.NodePort && !l.Listener.LocalEndpointsOnly).Select(l => Key(l.Listener))),
            "}"]);

        BaseChains(script, guardLocalnet);

        foreach (var listener in served)
            ServiceChains(script, listener);
        script.Append("}\n");
        return script.ToString();
    }

    /// <summary>The script that removes <paramref name="table"/> (absent or not).</summary>
    public static string Removal(string table) => $"add table ip {table}\ndelete table ip {table}\n";

    private static void BaseChains(StringBuilder script, bool guardLocalnet)
    {
        // NAT: the first packet of a connection picks its endpoint; conntrack carries the rest (and keeps open
        // connections on their endpoint when the rules change).
        Lines(script, 1, "chain prerouting {",
            $"{Indent}type nat hook prerouting priority dstnat; policy accept;",
            $"{Indent}ip daddr . meta l4proto . th dport @masquerade-nodeports meta mark set meta mark | {MasqueradeMark}",
            $"{Indent}jump services",
            "}");
        Lines(script, 1, "chain output {",
            // "dstnat" names -100 only for prerouting in nft 1.0; the output hook takes the number.
            $"{Indent}type nat hook output priority -100; policy accept;",
            $"{Indent}jump services",
            "}");
        Lines(script, 1, "chain services {",
            $"{Indent}ip daddr . meta l4proto . th dport vmap @services",
            "}");
        Lines(script, 1, "chain postrouting {",
            $"{Indent}type nat hook postrouting priority srcnat; policy accept;",
            $"{Indent}meta mark & {MasqueradeMark} != 0 meta mark set meta mark ^ {MasqueradeMark} masquerade fully-random",
            "}");

        // Filter, before NAT (dstnat is -100): a new connection to a listener without endpoints is refused at once.
        string[] input = guardLocalnet
            ? [$"{Indent}iifname != \"lo\" ip daddr 127.0.0.0/8 ct status & dnat == 0 drop"]
            : [];
        Lines(script, 1, ["chain filter-input {",
            $"{Indent}type filter hook input priority -110; policy accept;",
            .. input,
            $"{Indent}ct state new jump endpoints-check",
            "}"]);
        foreach (var hook in new[] { "forward", "output" })
            Lines(script, 1, $"chain filter-{hook} {{",
                $"{Indent}type filter hook {hook} priority -110; policy accept;",
                $"{Indent}ct state new jump endpoints-check",
                "}");
        Lines(script, 1, "chain endpoints-check {",
            $"{Indent}ip daddr . meta l4proto . th dport vmap @no-endpoint-services",
            "}");
        Lines(script, 1, "chain reject-service {",
            $"{Indent}meta l4proto tcp reject with tcp reset",
            $"{Indent}reject",
            "}");
    }

    private static void ServiceChains(StringBuilder script, KernelListener kernel)
    {
        var listener = kernel.Listener;
        var backends = kernel.Backends;
        var rules = new List<string>();
        if (listener.AffinityTimeout is { } timeout)
        {
            var seconds = Math.Max(1, (long)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            for (var i = 0; i < backends.Length; i++)
            {
                Lines(script, 1, $"set {AffinitySet(listener, i)} {{", $"{Indent}type ipv4_addr; flags dynamic,timeout; timeout {seconds}s;", "}");
                rules.Add($"ip saddr @{AffinitySet(listener, i)} goto {EndpointChain(listener, i)}");
            }
        }
        rules.Add(backends.Length == 1
            ? $"goto {EndpointChain(listener, 0)}"
            : $"numgen random mod {backends.Length.ToString(CultureInfo.InvariantCulture)} vmap {{ {string.Join(", ", backends.Select((_, i) => $"{i.ToString(CultureInfo.InvariantCulture)} : goto {EndpointChain(listener, i)}"))} }}");
        Lines(script, 1, [$"chain {ServiceChain(listener)} {{", .. rules.Select(r => Indent + r), "}"]);

        var protocol = Protocol(listener);
        for (var i = 0; i < backends.Length; i++)
        {
            var endpoint = backends[i];
            var affinity = listener.AffinityTimeout is null ? [] : new[] { $"{Indent}update @{AffinitySet(listener, i)} {{ ip saddr }}" };
            Lines(script, 1, [$"chain {EndpointChain(listener, i)} {{", .. affinity,
                $"{Indent}meta l4proto {protocol} dnat to {endpoint.Address}:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}", "}"]);
        }
    }

    private static void Map(StringBuilder script, string name, IEnumerable<string> elements) =>
        Lines(script, 1, [$"map {name} {{", $"{Indent}type ipv4_addr . inet_proto . inet_service : verdict", .. Elements(elements), "}"]);

    private static IEnumerable<string> Elements(IEnumerable<string> elements)
    {
        var all = elements.ToList();
        return all.Count == 0 ? [] : [$"{Indent}elements = {{", .. all.Select((e, i) => $"{Indent}{Indent}{e}{(i < all.Count - 1 ? "," : "")}"), $"{Indent}}}"];
    }

    private static void Lines(StringBuilder script, int depth, params IEnumerable<string> lines)
    {
        var prefix = string.Concat(Enumerable.Repeat(Indent, depth));
        foreach (var line in lines)
            script.Append(prefix).Append(line).Append('\n');
    }

    private static string Key(ProxyListener listener) =>
        $"{listener.Address.EndPoint.Address} . {Protocol(listener)} . {listener.Address.EndPoint.Port.ToString(CultureInfo.InvariantCulture)}";

    private static string Protocol(ProxyListener listener) => listener.Address.Protocol == ProxyProtocol.Tcp ? "tcp" : "udp";

    /// <summary>kube-proxy's naming: readable, unique per listener (namespace, name, protocol, address and port).</summary>
    private static string Id(ProxyListener listener) =>
        $"{listener.Service.Namespace}/{listener.Service.Name}/{Protocol(listener)}/{listener.Address.EndPoint.Address}/{listener.Address.EndPoint.Port.ToString(CultureInfo.InvariantCulture)}";

    private static string ServiceChain(ProxyListener listener) => $"service-{Id(listener)}";

    private static string EndpointChain(ProxyListener listener, int index) => $"endpoint-{Id(listener)}/{index.ToString(CultureInfo.InvariantCulture)}";

    private static string AffinitySet(ProxyListener listener, int index) => $"affinity-{Id(listener)}/{index.ToString(CultureInfo.InvariantCulture)}";
}
