namespace Granary.NodeAgent.Volumes;

/// <summary>Where a bound PersistentVolumeClaim's data lives on this node (<see cref="Storage.LocalPathVolumes"/>).</summary>
public interface IClaimPaths
{
    /// <summary>The claim's host directory, created if missing; throws <see cref="Storage.LocalPathVolumeException"/> saying why not.</summary>
    Task<string> ResolveClaimPathAsync(string @namespace, string claimName, CancellationToken ct);
}
