using System.Collections.Immutable;
using Granary.Model;

namespace Granary.NodeAgent.Storage;

/// <summary>
/// Which volume directories to remove, as a pure decision: a directory named as the provisioner names them whose
/// volume no longer exists, once it has been seen so for the whole grace period (a volume made a moment ago may not be
/// in the list just read). Anything else under the root is never chosen.
/// </summary>
public static class LocalPathSweep
{
    public sealed record Decision(ImmutableArray<string> Remove, ImmutableDictionary<string, DateTimeOffset> OrphanSince);

    /// <param name="directories">Names of the directories directly under the root.</param>
    /// <param name="volumes">Names of every PersistentVolume in the cluster, from one complete list.</param>
    /// <param name="orphanSince">When each directory was first seen without its volume (the previous decision's).</param>
    public static Decision Decide(IEnumerable<string> directories, IReadOnlySet<string> volumes,
        ImmutableDictionary<string, DateTimeOffset> orphanSince, DateTimeOffset now, TimeSpan grace)
    {
        var remove = ImmutableArray.CreateBuilder<string>();
        var since = ImmutableDictionary.CreateBuilder<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            if (LocalPath.VolumeOfDirectory(directory) is not { } volume || volumes.Contains(volume))
                continue;
            var first = orphanSince.GetValueOrDefault(directory, now);
            if (now - first >= grace)
                remove.Add(directory);
            else
                since[directory] = first;
        }
        return new(remove.ToImmutable(), since.ToImmutable());
    }
}
