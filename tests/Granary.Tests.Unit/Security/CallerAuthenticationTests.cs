using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Granary.Api;
using Granary.Certificates;
using Granary.Cli.Certificates;
using Granary.Grains.Security;
using Granary.Grains.Security.GrainCalls;
using Granary.Grains.Security.Nodes;
using Granary.Model;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Granary.Tests.Unit.Security;

/// <summary>Caller proofs made with granary certs' certificates, as the silo's incoming filter reads them.</summary>
public sealed class CallerAuthenticationTests(ITestOutputHelper output) : IDisposable
{
    private const string Cluster = "prod";
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-proof-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (LabCertificateAuthority Ca, X509Certificate2 CaCertificate) Authority(string sub = "")
    {
        var (ca, _) = LabCertificateAuthority.CreateOrOpen(Path.Combine(_dir, sub), force: false, DateTimeOffset.UtcNow);
        return (ca, X509CertificateLoader.LoadCertificateFromFile(ca.CertificatePath));
    }

    private static X509Certificate2 Load(LabCertificate issued) => X509Certificate2.CreateFromPemFile(issued.CertificatePath, issued.KeyPath);

    [Fact]
    public void Authenticate_AUsersProof_MapsCnToTheUserAndEachOToAGroup()
    {
        var (ca, root) = Authority();
        using (ca)
        using (root)
        using (var user = Load(ca.Issue(LabRole.User, "alice", [], ["dev", "ops"], DateTimeOffset.UtcNow)))
        {
            var authenticator = new CallerAuthenticator(new GrainCallSecurityOptions { Authority = root, ClusterId = Cluster, SiloProof = "" }, _time);

            var caller = authenticator.Authenticate(CallerProof.Create(user, Cluster), out var problem);

            Assert.Null(problem);
            Assert.False(caller.IsSilo);
            Assert.Equal("alice", caller.User.Name);
            Assert.Equal(new[] { "dev", "ops", WellKnownGroups.Authenticated }, caller.User.Groups.ToArray());
        }
    }

    [Fact]
    public void Authenticate_ASilosProof_IsASilo_AndAMastersUserIsNot()
    {
        var (ca, root) = Authority();
        using (ca)
        using (root)
        using (var silo = Load(ca.Issue(LabRole.Silo, "s1", [IPAddress.Loopback], [], DateTimeOffset.UtcNow)))
        using (var admin = Load(ca.Issue(LabRole.User, "admin", [], [WellKnownGroups.Masters], DateTimeOffset.UtcNow)))
        {
            var authenticator = new CallerAuthenticator(new GrainCallSecurityOptions { Authority = root, ClusterId = Cluster, SiloProof = "" }, _time);

            Assert.True(authenticator.Authenticate(CallerProof.Create(silo, Cluster), out _).IsSilo);
            Assert.False(authenticator.Authenticate(CallerProof.Create(admin, Cluster), out _).IsSilo);
        }
    }

    [Fact]
    public void Authenticate_AnotherClustersProof_AnotherCasCertificate_OrAForgedSignature_IsAnonymous()
    {
        var (ca, root) = Authority("a");
        var (otherCa, otherRoot) = Authority("b");
        using (ca)
        using (root)
        using (otherCa)
        using (otherRoot)
        using (var user = Load(ca.Issue(LabRole.User, "alice", [], [], DateTimeOffset.UtcNow)))
        using (var stranger = Load(otherCa.Issue(LabRole.User, "alice", [], [WellKnownGroups.Masters], DateTimeOffset.UtcNow)))
        {
            var authenticator = new CallerAuthenticator(new GrainCallSecurityOptions { Authority = root, ClusterId = Cluster, SiloProof = "" }, _time);
            var genuine = CallerProof.Create(user, Cluster).Split('.');
            var strangers = CallerProof.Create(stranger, Cluster).Split('.');
            // alice's certificate with the stranger's signature: the signature is not made by alice's key.
            var forged = $"{genuine[0]}.{genuine[1]}.{strangers[2]}";

            Assert.Equal(WellKnownUsers.Anonymous, authenticator.Authenticate(CallerProof.Create(user, "staging"), out var otherCluster).User.Name);
            Assert.Equal(WellKnownUsers.Anonymous, authenticator.Authenticate(CallerProof.Create(stranger, Cluster), out var otherAuthority).User.Name);
            Assert.Equal(WellKnownUsers.Anonymous, authenticator.Authenticate(forged, out var forgery).User.Name);
            Assert.Equal(WellKnownUsers.Anonymous, authenticator.Authenticate(null, out _).User.Name);
            Assert.Contains("not signed by its key", otherCluster, StringComparison.Ordinal);
            Assert.Contains("does not chain to the cluster CA", otherAuthority, StringComparison.Ordinal);
            Assert.Contains("not signed by its key", forgery, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Authenticate_ACachedProof_ExpiresWithItsCertificate()
    {
        var (ca, root) = Authority();
        using (ca)
        using (root)
        using (var user = Load(ca.Issue(LabRole.User, "alice", [], [], DateTimeOffset.UtcNow)))
        {
            var authenticator = new CallerAuthenticator(new GrainCallSecurityOptions { Authority = root, ClusterId = Cluster, SiloProof = "" }, _time);
            var proof = CallerProof.Create(user, Cluster);
            Assert.Equal("alice", authenticator.Authenticate(proof, out _).User.Name);

            _time.Advance(LabCertificateAuthority.LeafLifetime + TimeSpan.FromDays(1));

            Assert.Equal(WellKnownUsers.Anonymous, authenticator.Authenticate(proof, out var problem).User.Name);
            Assert.Contains("is not trusted", problem, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(LabRole.User, "granary-silo-x", "would pass for a silo")]
    [InlineData(LabRole.User, "system:node:n1", "reserved system: namespace")]
    [InlineData(LabRole.Node, "Bad_Name", "not a valid node name")]
    [InlineData(LabRole.Silo, "../x", "cannot name a certificate")]
    public void LabNames_NamesThatWouldPassForAnotherRole_AreRefused(LabRole role, string name, string expected)
    {
        Assert.Contains(expected, LabNames.Problem(role, name, []), StringComparison.Ordinal);
    }

    /// <summary>
    /// The filter's work per call once a caller is known: the cached proof lookup, the method's attributes and the
    /// authorizer. Printed, not asserted (no speed assertions in tests).
    /// </summary>
    [Fact]
    public async Task PerCallCost_CachedProof_MapAndAuthorize_IsPrinted()
    {
        var (ca, root) = Authority();
        using (ca)
        using (root)
        using (var user = Load(ca.Issue(LabRole.User, "admin", [], [WellKnownGroups.Masters], DateTimeOffset.UtcNow)))
        {
            var authenticator = new CallerAuthenticator(new GrainCallSecurityOptions { Authority = root, ClusterId = Cluster, SiloProof = "" }, _time);
            var authorizer = new AuthorizerChain(new SystemMastersAuthorizer(), new NodeAuthorizer(new EmptyGraph()));
            var proof = CallerProof.Create(user, Cluster);
            var first = Stopwatch.StartNew();
            authenticator.Authenticate(proof, out _);
            first.Stop();

            const int calls = 100_000;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++)
            {
                var caller = authenticator.Authenticate(proof, out _);
                var checks = GrainCallMap.Checks(caller.User, typeof(IResourceGrain<Pod>), nameof(IResourceGrain<Pod>.GetAsync), typeof(object), "default/web", _ => null, out _)!.Value;
                foreach (var check in checks)
                    Assert.True((await authorizer.AuthorizeAsync(check)).Allowed);
            }
            clock.Stop();
            output.WriteLine($"first call (verify the proof: chain and signature): {first.Elapsed.TotalMicroseconds:0} µs");
            output.WriteLine($"each later call (cached proof, map, authorize): {clock.Elapsed.TotalNanoseconds / calls:0} ns over {calls} calls; proof size {proof.Length} chars");
        }
    }

    private sealed class EmptyGraph : INodeGraph
    {
        public ValueTask<IReadOnlyList<Pod>> PodsOnAsync(string node, bool consistent) => ValueTask.FromResult<IReadOnlyList<Pod>>([]);
    }
}
