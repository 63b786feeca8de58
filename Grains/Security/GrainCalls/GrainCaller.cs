namespace Granary.Grains.Security.GrainCalls;

/// <summary>Who made a grain call: a silo of this cluster (trusted), or an outside user with its groups.</summary>
public sealed record GrainCaller(UserInfo User, bool IsSilo, DateTimeOffset NotAfter);

/// <summary>The silo's part in the grain surface's security: the cluster CA, the cluster id proofs are bound to, and this silo's own proof.</summary>
public sealed class GrainCallSecurityOptions
{
    public required System.Security.Cryptography.X509Certificates.X509Certificate2 Authority { get; init; }

    public required string ClusterId { get; init; }

    /// <summary>This silo's caller proof (<see cref="Granary.Certificates.CallerProof"/>), stamped on its calls to grains.</summary>
    public required string SiloProof { get; init; }
}
