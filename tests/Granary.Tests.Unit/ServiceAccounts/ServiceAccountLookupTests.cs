using Granary.Grains.Caching;
using Granary.Grains.ServiceAccounts;
using Granary.Grains.Storage;
using Granary.Model;
using Granary.Serialization;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Unit.ServiceAccounts;

/// <summary>Pod admission reads ServiceAccounts from the watch cache, and asks the grain only when the cache has none.</summary>
public sealed class ServiceAccountLookupTests : IDisposable
{
    private readonly InMemoryObjectStore _store = new(new StoreOptions());
    private readonly KindCache _accounts;
    private int _grainCalls;

    public ServiceAccountLookupTests() => _accounts = new KindCache(ResourceKinds.ServiceAccount, _store, 100, NullLogger.Instance);

    public void Dispose() => _accounts.Dispose();

    private Task<ServiceAccount?> FromGrain(ServiceAccount? answer)
    {
        _grainCalls++;
        return Task.FromResult(answer);
    }

    private async Task CreateAsync(string ns, string name)
    {
        var account = new ServiceAccount { Metadata = new ObjectMeta { Name = name, Namespace = ns, Uid = $"uid-{name}" } };
        await _store.CreateAsync(ResourceKinds.ServiceAccount, $"{ns}/{name}", GranaryJson.SerializeResource(account));
        await _accounts.WaitForRevisionAsync(await _store.GetRevisionAsync(ResourceKinds.ServiceAccount), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CachedAccount_IsFound_WithoutAGrainCall()
    {
        await CreateAsync("dev", "builder");

        var found = await ServiceAccountAdmission.FindAsync(_accounts, "dev", "builder", () => FromGrain(null));

        Assert.Equal("uid-builder", found?.Metadata.Uid);
        Assert.Equal(0, _grainCalls);
    }

    [Fact]
    public async Task AccountTheCacheDoesNotHold_IsAskedOfTheGrain()
    {
        await CreateAsync("dev", "builder");
        var justCreated = new ServiceAccount { Metadata = new ObjectMeta { Name = "fresh", Namespace = "dev", Uid = "uid-fresh" } };

        var found = await ServiceAccountAdmission.FindAsync(_accounts, "dev", "fresh", () => FromGrain(justCreated));
        var missing = await ServiceAccountAdmission.FindAsync(_accounts, "other", "builder", () => FromGrain(null));

        Assert.Equal("uid-fresh", found?.Metadata.Uid);
        Assert.Null(missing);
        Assert.Equal(2, _grainCalls);
    }
}
