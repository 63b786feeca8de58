using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Cli;

/// <summary>A real redis-server and one real silo process on Redis, for the CLI tests of one class.</summary>
public sealed class CliClusterFixture : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private SiloProcess? _silo;

    public string ClusterId { get; } = $"cli-{Guid.NewGuid():N}"[..12];

    public SiloProcess Silo => _silo!;

    public CliRunner Cli => CliRunner.ForGateway(Silo.Gateway, ClusterId, Pki);

    /// <summary>The lab certificates of this cluster.</summary>
    public LabPki Pki => LabPki.For(_redis.Endpoint);

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _silo = await SiloProcess.StartAsync(_redis.Endpoint, ClusterId, SiloProcess.AgentlessNodes);
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
            await _silo.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
