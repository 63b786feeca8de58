using System.Net;
using System.Security.Cryptography;
using Granary.Grains.Certificates;
using Granary.NodeAgent.Server.Certificates;

namespace Granary.Tests.Unit.Certificates;

public sealed class ServingRenewalTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress NodeIp = IPAddress.Parse("127.0.0.75");

    [Theory]
    [InlineData(0, true, "n1", "127.0.0.75", null)]
    [InlineData(59, true, "n1", "127.0.0.75", null)]
    [InlineData(61, true, "n1", "127.0.0.75", "a third of its life is left")]
    [InlineData(1, false, "n1", "127.0.0.75", "the cluster CA changed")]
    [InlineData(1, true, "n2", "127.0.0.75", "not system:node:n2")]
    [InlineData(1, true, "n1", "127.0.0.76", "not valid for the node's address 127.0.0.76")]
    public void Reason_ByAgeAuthorityAndIdentity(int daysLater, bool authorityUnchanged, string nodeName, string nodeIp, string? expected)
    {
        using var ca = CertificateAuthority.Create(Now).Authority;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = ca.SignNodeServing("n1", ServingRenewal.Request(key, "n1", NodeIp), [NodeIp], Now);

        var reason = ServingRenewal.Reason(certificate, authorityUnchanged, nodeName, IPAddress.Parse(nodeIp), Now.AddDays(daysLater));

        if (expected is null)
            Assert.Null(reason);
        else
            Assert.Contains(expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Reason_NoCertificateYet_AskForOne() =>
        Assert.Equal("the agent has none yet", ServingRenewal.Reason(null, authorityUnchanged: false, "n1", NodeIp, Now));
}
