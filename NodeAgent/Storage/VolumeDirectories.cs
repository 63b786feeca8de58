using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Storage;

/// <summary>
/// The volume directories under one local-path root, and their removal once their volumes are gone (see
/// <see cref="LocalPathSweep"/>). Remembers since when each directory has been without its volume; symbolic links
/// under the root are never followed nor removed.
/// </summary>
public sealed partial class VolumeDirectories(string root, TimeSpan grace, TimeProvider time, ILogger logger)
{
    private ImmutableDictionary<string, DateTimeOffset> _orphanSince = ImmutableDictionary<string, DateTimeOffset>.Empty;

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>One pass against a complete list of the cluster's volume names. Returns the directories removed.</summary>
    public ImmutableArray<string> Sweep(IReadOnlySet<string> volumes)
    {
        if (!Directory.Exists(Root))
            return [];
        var directories = new DirectoryInfo(Root).EnumerateDirectories()
            .Where(d => d.LinkTarget is null)
            .Select(d => d.Name)
            .ToList();
        var decision = LocalPathSweep.Decide(directories, volumes, _orphanSince, time.GetUtcNow(), grace);
        _orphanSince = decision.OrphanSince;
        var removed = ImmutableArray.CreateBuilder<string>();
        foreach (var name in decision.Remove)
        {
            var path = Path.Combine(Root, name);
            try
            {
                // A recursive delete unlinks symbolic links inside without following them.
                Directory.Delete(path, recursive: true);
                removed.Add(name);
                LogRemoved(logger, path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogRemoveFailed(logger, path, e.Message);
            }
        }
        return removed.ToImmutable();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed volume directory {Path}: its PersistentVolume is gone")]
    private static partial void LogRemoved(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove volume directory {Path}: {Reason}; trying again later")]
    private static partial void LogRemoveFailed(ILogger logger, string path, string reason);
}
