namespace Granary.Silo.Redis;

/// <summary>
/// What a Redis server's <c>INFO persistence</c> says about whether an acknowledged write survives a restart.
/// Read from INFO rather than CONFIG GET because managed Redis services often rename or disable CONFIG; INFO
/// is what every Redis answers.
/// </summary>
public sealed record RedisPersistence(bool AofEnabled, bool RdbOnly, string? AppendFsync)
{
    /// <summary>Parses the text of <c>INFO persistence</c>; <paramref name="appendFsync"/> is CONFIG GET's answer when CONFIG works.</summary>
    public static RedisPersistence Parse(string info, string? appendFsync)
    {
        var fields = info.Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => l.Length > 0 && l[0] != '#' && l.Contains(':', StringComparison.Ordinal))
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var aof = fields.GetValueOrDefault("aof_enabled") == "1";
        // rdb_last_save_time exists on every server; a configured save schedule shows as rdb_changes_since_last_save moving.
        return new RedisPersistence(aof, !aof && fields.ContainsKey("rdb_last_save_time"), appendFsync);
    }

    /// <summary>Null when the server keeps what it acknowledged across a restart; else why not and how to fix it.</summary>
    public string? Problem(string server) => AofEnabled
        ? null
        : $"Redis at {server} has no append-only file (INFO persistence: aof_enabled:0), so a Redis restart loses every write since its last snapshot, " +
          "writes the cluster already acknowledged. Turn it on in redis.conf (appendonly yes, appendfsync everysec or always) or at once with " +
          "redis-cli CONFIG SET appendonly yes, and on every replica too; or, to accept losing acknowledged writes, start the silo with --redis-without-aof.";

    /// <summary>A warning worth logging even with AOF on: appendfsync no leaves the flushing to the OS (up to ~30 s lost on a power cut).</summary>
    public string? Weakness(string server) => AofEnabled && string.Equals(AppendFsync, "no", StringComparison.OrdinalIgnoreCase)
        ? $"Redis at {server} writes its append-only file with appendfsync no: the kernel decides when it reaches the disk, so a power cut or kernel crash can lose acknowledged writes. Set appendfsync everysec (or always)."
        : null;
}
