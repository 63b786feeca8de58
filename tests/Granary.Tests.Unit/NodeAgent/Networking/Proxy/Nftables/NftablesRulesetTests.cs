using System.Collections.Immutable;
using System.Net;
using Granary.NodeAgent.Networking.Proxy;
using Granary.NodeAgent.Networking.Proxy.Nftables;
using Granary.NodeAgent.Networking.Services;

namespace Granary.Tests.Unit.NodeAgent.Networking.Proxy.Nftables;

public class NftablesRulesetTests
{
    private static readonly ServiceKey Web = new("default", "web");

    private static KernelListener Listener(string address, ProxyProtocol protocol, ListenerRole role, ServiceKey service,
        bool localOnly = false, TimeSpan? affinity = null, params string[] backends) =>
        new(new ProxyListener(new ListenerAddress(IPEndPoint.Parse(address), protocol), role, service, "", null, localOnly, affinity),
            [.. backends.Select(IPEndPoint.Parse)]);

    /// <summary>nft reads tabs; the expected texts are written with four spaces.</summary>
    private static string Render(bool guardLocalnet, params KernelListener[] listeners) =>
        NftablesRuleset.Render("granary-n1", listeners, guardLocalnet).Replace("\t", "    ", StringComparison.Ordinal);

    [Fact]
    public void Render_ClusterIPWithAffinity_NodePort_AndServiceWithoutEndpoints_IsTheWholeTableInOneTransaction()
    {
        var script = Render(false,
            Listener("127.150.0.10:80", ProxyProtocol.Tcp, ListenerRole.ClusterIP, Web, affinity: TimeSpan.FromSeconds(600), backends: ["127.1.104.5:8080", "127.1.104.6:8080"]),
            Listener("127.0.0.104:30080", ProxyProtocol.Tcp, ListenerRole.NodePort, Web, backends: ["127.1.104.5:8080"]),
            Listener("127.150.0.11:53", ProxyProtocol.Udp, ListenerRole.ClusterIP, new ServiceKey("kube-system", "dns")));

        Assert.Equal("""
            add table ip granary-n1
            delete table ip granary-n1
            table ip granary-n1 {
                map services {
                    type ipv4_addr . inet_proto . inet_service : verdict
                    elements = {
                        127.150.0.10 . tcp . 80 : goto service-default/web/tcp/127.150.0.10/80,
                        127.0.0.104 . tcp . 30080 : goto service-default/web/tcp/127.0.0.104/30080
                    }
                }
                map no-endpoint-services {
                    type ipv4_addr . inet_proto . inet_service : verdict
                    elements = {
                        127.150.0.11 . udp . 53 : goto reject-service
                    }
                }
                set masquerade-nodeports {
                    type ipv4_addr . inet_proto . inet_service
                    elements = {
                        127.0.0.104 . tcp . 30080
                    }
                }
                chain prerouting {
                    type nat hook prerouting priority dstnat; policy accept;
                    ip daddr . meta l4proto . th dport @masquerade-nodeports meta mark set meta mark | 0x00004000
                    jump services
                }
                chain output {
                    type nat hook output priority -100; policy accept;
                    jump services
                }
                chain services {
                    ip daddr . meta l4proto . th dport vmap @services
                }
                chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    meta mark & 0x00004000 != 0 meta mark set meta mark ^ 0x00004000 masquerade fully-random
                }
                chain filter-input {
                    type filter hook input priority -110; policy accept;
                    ct state new jump endpoints-check
                }
                chain filter-forward {
                    type filter hook forward priority -110; policy accept;
                    ct state new jump endpoints-check
                }
                chain filter-output {
                    type filter hook output priority -110; policy accept;
                    ct state new jump endpoints-check
                }
                chain endpoints-check {
                    ip daddr . meta l4proto . th dport vmap @no-endpoint-services
                }
                chain reject-service {
                    meta l4proto tcp reject with tcp reset
                    reject
                }
                set affinity-default/web/tcp/127.150.0.10/80/0 {
                    type ipv4_addr; flags dynamic,timeout; timeout 600s;
                }
                set affinity-default/web/tcp/127.150.0.10/80/1 {
                    type ipv4_addr; flags dynamic,timeout; timeout 600s;
                }
                chain service-default/web/tcp/127.150.0.10/80 {
                    ip saddr @affinity-default/web/tcp/127.150.0.10/80/0 goto endpoint-default/web/tcp/127.150.0.10/80/0
                    ip saddr @affinity-default/web/tcp/127.150.0.10/80/1 goto endpoint-default/web/tcp/127.150.0.10/80/1
                    numgen random mod 2 vmap { 0 : goto endpoint-default/web/tcp/127.150.0.10/80/0, 1 : goto endpoint-default/web/tcp/127.150.0.10/80/1 }
                }
                chain endpoint-default/web/tcp/127.150.0.10/80/0 {
                    update @affinity-default/web/tcp/127.150.0.10/80/0 { ip saddr }
                    meta l4proto tcp dnat to 127.1.104.5:8080
                }
                chain endpoint-default/web/tcp/127.150.0.10/80/1 {
                    update @affinity-default/web/tcp/127.150.0.10/80/1 { ip saddr }
                    meta l4proto tcp dnat to 127.1.104.6:8080
                }
                chain service-default/web/tcp/127.0.0.104/30080 {
                    goto endpoint-default/web/tcp/127.0.0.104/30080/0
                }
                chain endpoint-default/web/tcp/127.0.0.104/30080/0 {
                    meta l4proto tcp dnat to 127.1.104.5:8080
                }
            }

            """.ReplaceLineEndings("\n"), script);
    }

    [Fact]
    public void Render_NodePortWithTrafficPolicyLocal_IsNotMasqueraded()
    {
        var script = Render(false, Listener("127.0.0.104:30080", ProxyProtocol.Udp, ListenerRole.NodePort, Web, localOnly: true, backends: ["127.1.104.5:53"]));

        Assert.Contains("""
                set masquerade-nodeports {
                    type ipv4_addr . inet_proto . inet_service
                }
            """.ReplaceLineEndings("\n"), script, StringComparison.Ordinal);
        Assert.Contains("meta l4proto udp dnat to 127.1.104.5:53", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NothingPlanned_StillDeclaresTheEmptyTable()
    {
        var script = Render(false);

        Assert.StartsWith("add table ip granary-n1\ndelete table ip granary-n1\ntable ip granary-n1 {\n", script, StringComparison.Ordinal);
        Assert.DoesNotContain("elements", script, StringComparison.Ordinal);
        Assert.DoesNotContain("chain service-", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WithRouteLocalnet_DropsLoopbackTrafficFromElsewhereThatWasNotDnated()
    {
        var script = Render(true);

        Assert.Contains("""
                chain filter-input {
                    type filter hook input priority -110; policy accept;
                    iifname != "lo" ip daddr 127.0.0.0/8 ct status & dnat == 0 drop
                    ct state new jump endpoints-check
                }
            """.ReplaceLineEndings("\n"), script, StringComparison.Ordinal);
    }

    [Fact]
    public void Removal_CreatesThenDeletes_SoAnAbsentTableIsFine() =>
        Assert.Equal("add table ip granary-n1\ndelete table ip granary-n1\n", NftablesRuleset.Removal("granary-n1"));

    [Theory]
    [InlineData("px-a", "granary-px-a")]
    [InlineData("Node_1.Example", "granary-node-1-example")]
    public void TableName_IsGranaryAndTheNodeNameInLettersDigitsAndDashes(string node, string expected) =>
        Assert.Equal(expected, NftablesRuleset.TableName(node));

    [Fact]
    public void TableName_OfALongNodeName_IsCutAndKeptApartByAHash()
    {
        var one = NftablesRuleset.TableName(new string('a', 100) + "1");
        var two = NftablesRuleset.TableName(new string('a', 100) + "2");

        Assert.Equal(64, one.Length);
        Assert.NotEqual(one, two);
    }

    [Fact]
    public void ProxyModes_Parse_AcceptsRelayAndNftables_AndNamesThemOnAnythingElse()
    {
        Assert.Equal(ProxyMode.Relay, ProxyModes.Parse(null));
        Assert.Equal(ProxyMode.Nftables, ProxyModes.Parse("NFTables"));
        var error = Assert.Throws<ArgumentException>(() => ProxyModes.Parse("iptables"));
        Assert.Contains("relay", error.Message, StringComparison.Ordinal);
        Assert.Contains("nftables", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_WithKernelNat_ServesANonLoopbackClusterIPWithoutAnInterface()
    {
        var service = new Granary.Model.Service
        {
            Metadata = new Granary.Model.ObjectMeta { Name = "web", Namespace = "default" },
            Spec = new Granary.Model.ServiceSpec { ClusterIP = "10.43.0.20", Ports = [new Granary.Model.ServicePort { Port = 80, Protocol = "TCP", TargetPort = 8080 }] },
        };
        var table = new ServiceTable(true, "1", ImmutableDictionary<ServiceKey, Granary.Model.Service>.Empty.Add(Web, service));

        var plan = ProxyPlanner.Plan(table, new ProxyNode("n1", [IPAddress.Parse("127.0.0.104")], ServiceInterface: null, KernelNat: true));

        Assert.Equal(["10.43.0.20:80/TCP"], plan.Listeners.Select(l => l.Address.ToString()));
        Assert.Empty(plan.Unreachable);
        Assert.Empty(plan.InterfaceAddresses);
    }
}
