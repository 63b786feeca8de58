using StackExchange.Redis;

namespace Granary.Silo.Redis;

/// <summary>
/// The start-up check that production mode only runs on a Redis that keeps what it acknowledged: the silo asks the
/// primary's <c>INFO persistence</c> before it joins the cluster, and refuses to start without an append-only file
/// unless the operator accepted the risk (<c>--redis-without-aof</c>).
/// </summary>
internal static partial class RedisPersistenceCheck
{
    private static readonly TimeSpan ConnectDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Returns false (after logging why) when the silo must not start.</summary>
    public static async Task<bool> PassesAsync(RedisConnection connection, bool acceptDataLoss, ILogger logger)
    {
        var options = connection.Options();
        // INFO and CONFIG are "admin" commands to StackExchange.Redis; only this short-lived connection sends them.
        options.AllowAdmin = true;
        using var deadline = new CancellationTokenSource(ConnectDeadline);
        ConnectionMultiplexer redis;
        try
        {
            redis = await ConnectionMultiplexer.ConnectAsync(options);
        }
        catch (RedisException e)
        {
            LogUnreachable(logger, connection.Describe(), e.Message);
            return false;
        }
        await using (redis)
        {
            IServer? primary;
            // AbortOnConnectFail is off (the silo may start before Redis), so wait for a primary with a deadline.
            while ((primary = redis.GetServers().FirstOrDefault(s => s.IsConnected && !s.IsReplica)) is null)
            {
                if (deadline.IsCancellationRequested)
                {
                    LogUnreachable(logger, connection.Describe(), $"no primary answered within {ConnectDeadline.TotalSeconds:0}s ({redis.GetStatus().Trim()})");
                    return false;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
            }
            var server = EndPointCollection.ToString(primary.EndPoint);
            string? info;
            try
            {
                info = await primary.InfoRawAsync("persistence");
            }
            catch (Exception e) when (e is RedisServerException or RedisCommandException)
            {
                LogInfoRefused(logger, server, e.Message);
                return acceptDataLoss;
            }
            var persistence = RedisPersistence.Parse(info ?? "", await AppendFsyncAsync(primary));
            if (persistence.Problem(server) is { } problem)
            {
                if (!acceptDataLoss)
                {
                    LogRefused(logger, problem);
                    return false;
                }
                LogAccepted(logger, server);
                return true;
            }
            if (persistence.Weakness(server) is { } weakness)
                LogWeakness(logger, weakness);
            LogPersistent(logger, server, persistence.AppendFsync ?? "unknown (CONFIG is not available)");
            return true;
        }
    }

    /// <summary>The fsync policy when CONFIG GET works; managed services often rename it, and then it is unknown, not an error.</summary>
    private static async Task<string?> AppendFsyncAsync(IServer server)
    {
        try
        {
            var pairs = await server.ConfigGetAsync("appendfsync");
            return pairs.Length > 0 ? pairs[0].Value : null;
        }
        catch (RedisException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The silo will not start: {Problem}")]
    private static partial void LogRefused(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {Server} has no append-only file and --redis-without-aof accepts that: a Redis restart loses writes the cluster acknowledged since its last snapshot.")]
    private static partial void LogAccepted(ILogger logger, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Weakness}")]
    private static partial void LogWeakness(ILogger logger, string weakness);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis at {Server} keeps an append-only file (appendfsync {AppendFsync})")]
    private static partial void LogPersistent(ILogger logger, string server, string appendFsync);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The silo will not start: Redis at {Redis} cannot be reached ({Reason}). Check --redis (host, port, password=, user=, ssl=), --redis-ca, and that Redis is running.")]
    private static partial void LogUnreachable(ILogger logger, string redis, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Redis at {Server} refused INFO persistence ({Reason}), so the silo cannot see whether Redis keeps an append-only file. Allow INFO for the silo's ACL user (+info), or start the silo with --redis-without-aof to accept the risk.")]
    private static partial void LogInfoRefused(ILogger logger, string server, string reason);
}
