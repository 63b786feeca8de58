using Granary.NodeAgent.Hosting;

namespace Granary.Silo.Redis;

/// <summary>
/// What a production silo checks about its Redis before it joins the cluster: the connection settings make sense,
/// Redis keeps an append-only file (or the operator accepted the risk), and it warns when the connection leaves the
/// machine without a password or without TLS.
/// </summary>
internal static partial class RedisStartupChecks
{
    /// <summary>Null when the silo may start; else the exit code (2: a wrong flag, 1: Redis refused by the checks).</summary>
    public static async Task<int?> RunAsync(SiloSettings settings, string usage)
    {
        if (settings.DevMode)
            return null;
        var (connection, problem) = RedisConnection.From(settings);
        if (connection is null)
        {
            Console.Error.WriteLine($"error: {problem}\n{usage}");
            return 2;
        }
        using var loggers = LoggerFactory.Create(HostLogging.Configure);
        var logger = loggers.CreateLogger("Granary.Silo.Redis");
        LogConnecting(logger, connection.Describe());
        foreach (var warning in connection.Warnings())
            LogInsecure(logger, warning);
        return await RedisPersistenceCheck.PassesAsync(connection, settings.RedisWithoutAof, logger) ? null : 1;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis: {Redis}")]
    private static partial void LogConnecting(ILogger logger, string redis);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogInsecure(ILogger logger, string warning);
}
