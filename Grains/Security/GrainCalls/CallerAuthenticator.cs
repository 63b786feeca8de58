using System.Collections.Concurrent;
using Granary.Certificates;

namespace Granary.Grains.Security.GrainCalls;

/// <summary>
/// Turns a caller proof into a caller: the certificate must chain to the cluster CA for client authentication, be
/// valid now, and have signed this cluster's string. A proof is verified once and then found in a bounded cache (a
/// dictionary lookup per call) until its certificate expires. x509 subjects map as Kubernetes maps them: CN the user,
/// each O a group, plus system:authenticated; a silo's own certificate (both usages, CN=granary-silo-NAME,
/// O=system:masters) makes the caller a silo.
/// </summary>
public sealed class CallerAuthenticator(GrainCallSecurityOptions options, TimeProvider time)
{
    /// <summary>At most this many proofs are cached (distinct callers); more clears the cache, which refills itself.</summary>
    public const int CacheLimit = 4096;

    private readonly ConcurrentDictionary<string, GrainCaller> _verified = new(StringComparer.Ordinal);

    /// <summary>The caller of <paramref name="proof"/>; anonymous (with why, for logs) when there is none or it does not hold.</summary>
    public GrainCaller Authenticate(string? proof, out string? problem)
    {
        problem = null;
        var now = time.GetUtcNow();
        if (proof is null)
        {
            problem = "the call carries no caller proof (a client without a certificate, or not the granary SDK)";
            return Anonymous(now);
        }
        if (_verified.TryGetValue(proof, out var known) && known.NotAfter > now)
            return known;

        using var certificate = CallerProof.Read(proof, options.ClusterId, out problem);
        if (certificate is null)
            return Anonymous(now);
        if (ClusterIdentities.ChainProblem(certificate, options.Authority, ClusterIdentities.ClientAuth, now) is { } chain)
        {
            problem = $"the caller's certificate \"{certificate.Subject}\" is not trusted: {chain}";
            return Anonymous(now);
        }
        var names = ClusterIdentities.CommonNames(certificate.SubjectName);
        if (names.Count != 1 || names[0].Length == 0)
        {
            problem = $"the caller's certificate \"{certificate.Subject}\" names no single user (CN)";
            return Anonymous(now);
        }
        var groups = ClusterIdentities.Organizations(certificate.SubjectName).Append(WellKnownGroups.Authenticated).Distinct();
        var caller = new GrainCaller(new UserInfo(names[0], "", groups), ClusterIdentities.IsSiloCertificate(certificate, options.Authority, now),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
        if (_verified.Count >= CacheLimit)
            _verified.Clear();
        _verified[proof] = caller;
        return caller;
    }

    private static GrainCaller Anonymous(DateTimeOffset now) => new(UserInfo.Anonymous, false, now);
}
