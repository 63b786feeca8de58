using Granary.Silo;
using Granary.Silo.Redis;

namespace Granary.Tests.Unit.Redis;

public sealed class RedisSettingsTests
{
    private const string AofOn = "# Persistence\r\nloading:0\r\nrdb_last_save_time:1700000000\r\naof_enabled:1\r\naof_rewrite_in_progress:0\r\n";
    private const string AofOff = "# Persistence\r\nloading:0\r\nrdb_last_save_time:1700000000\r\naof_enabled:0\r\n";

    [Fact]
    public void Persistence_WithAofOn_HasNoProblem()
    {
        var persistence = RedisPersistence.Parse(AofOn, "everysec");
        Assert.True(persistence.AofEnabled);
        Assert.Null(persistence.Problem("r:6379"));
        Assert.Null(persistence.Weakness("r:6379"));
    }

    [Fact]
    public void Persistence_WithAofOff_SaysHowToTurnItOnAndHowToAcceptTheRisk()
    {
        var problem = RedisPersistence.Parse(AofOff, null).Problem("r:6379");
        Assert.NotNull(problem);
        Assert.Contains("aof_enabled:0", problem, StringComparison.Ordinal);
        Assert.Contains("appendonly yes", problem, StringComparison.Ordinal);
        Assert.Contains("appendfsync everysec", problem, StringComparison.Ordinal);
        Assert.Contains("--redis-without-aof", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Persistence_WithAppendFsyncNo_IsAWeakness()
    {
        Assert.Contains("appendfsync no", RedisPersistence.Parse(AofOn, "no").Weakness("r:6379"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:6379", 0)]
    [InlineData("localhost:6379", 0)]
    [InlineData("10.0.0.5:6379", 2)]
    [InlineData("10.0.0.5:6379,password=x", 1)]
    [InlineData("10.0.0.5:6379,user=granary,password=x,ssl=true", 0)]
    [InlineData("redis.example.internal:6380,ssl=true", 1)]
    public void Warnings_OnlyForAnotherHostWithoutPasswordOrTls(string redis, int expected)
    {
        var (connection, problem) = RedisConnection.From(new SiloSettings { Redis = redis });
        Assert.Null(problem);
        Assert.Equal(expected, connection!.Warnings().Count);
    }

    [Fact]
    public void Describe_NamesSentinelServiceAndUser_NeverThePassword()
    {
        var (connection, _) = RedisConnection.From(new SiloSettings { Redis = "10.0.0.1:26379,10.0.0.2:26379,serviceName=granary,user=silo,password=hunter2" });
        var text = connection!.Describe();
        Assert.Contains("sentinel service granary", text, StringComparison.Ordinal);
        Assert.Contains("user silo", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", RedisConnection.Redacted("10.0.0.1:26379,password=hunter2"), StringComparison.Ordinal);
    }

    [Fact]
    public void ClientCertificateWithoutKey_IsRefusedNamingBothFlags()
    {
        var (connection, problem) = RedisConnection.From(new SiloSettings { Redis = "10.0.0.1:6380", RedisClientCertificate = "/etc/granary/redis-client.pem" });
        Assert.Null(connection);
        Assert.Contains("--redis-client-certificate and --redis-client-key", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingCaFile_IsRefusedNamingTheFlag()
    {
        var (_, problem) = RedisConnection.From(new SiloSettings { Redis = "10.0.0.1:6380", RedisCa = "/nonexistent/ca.pem" });
        Assert.Equal("--redis-ca /nonexistent/ca.pem: no such file", problem);
    }
}
