using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.ApiSecurity;

/// <summary>
/// A production silo (a private redis-server, <c>--redis</c>) with nothing about TLS or tokens configured: it serves
/// HTTPS with the CA, certificate and admin token it generates beside its kubeconfig in its own temp folder.
/// </summary>
public sealed class ProductionApiFixture : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private SiloProcess? _silo;

    public string Dir { get; } = Directory.CreateTempSubdirectory("granary-apisec-").FullName;

    public SiloProcess Silo => _silo!;

    public KubeconfigView Kubeconfig => KubeconfigView.Read(Silo.Kubeconfig);

    /// <summary>kubectl with the silo's kubeconfig (or another one) and a private discovery cache.</summary>
    public Kubectl Kubectl(string? kubeconfig = null) =>
        new(kubeconfig ?? Silo.Kubeconfig, Path.Combine(Dir, $"kube-cache-{Guid.NewGuid():N}"));

    public HttpClient Http(string? token) => Kubeconfig.Client(Silo.ApiUrl, token);

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _silo = await SiloProcess.StartAsync(_redis.Endpoint, $"apisec-{Guid.NewGuid():N}"[..14]);
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null)
            await _silo.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
