using Granary.Api;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Services;

/// <summary>
/// The cluster's book of service addresses (<see cref="IServiceAddressAllocatorGrain"/>), one activation for the
/// whole cluster, its holdings in grain storage (Redis in production). Every change is written before it is
/// answered; a failed write reloads the stored book, so memory never runs ahead of storage.
/// </summary>
public sealed partial class ServiceAddressAllocatorGrain(
    [PersistentState(ServiceAllocations.StateName, StorageNames.Default)] IPersistentState<ServiceAllocations> state,
    IOptions<ServiceNetworkOptions> options,
    ILogger<ServiceAddressAllocatorGrain> logger) : Grain, IServiceAddressAllocatorGrain
{
    private readonly ServiceNetwork _network = options.Value.Parse();
    private ServiceAddressBook _book = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _book = new ServiceAddressBook(_network, state.State.Holdings);
        return Task.CompletedTask;
    }

    public async Task<ServiceAddresses> AllocateAsync(ServiceAddressRequest request)
    {
        var granted = _book.Allocate(request, Random.Shared);
        await SaveAsync();
        LogAllocated(logger, request.Owner, granted.ClusterIP ?? "none", string.Join(",", granted.NodePorts.OfType<int>()));
        return granted;
    }

    public async Task RetainAsync(string owner, string uid, ServiceAddresses keep)
    {
        if (!_book.Retain(owner, uid, keep))
            return;
        await SaveAsync();
        LogReleased(logger, owner, keep.ClusterIP ?? "none", string.Join(",", keep.NodePorts.OfType<int>()));
    }

    public Task<ServiceAddresses?> GetHoldingsAsync(string owner) => Task.FromResult(_book.HoldingsOf(owner));

    private async Task SaveAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // What was granted in memory is not stored: forget it, so nothing is handed out twice.
            await state.ReadStateAsync();
            _book = new ServiceAddressBook(_network, state.State.Holdings);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Service {Service} holds cluster IP {ClusterIP}, node ports [{NodePorts}]")]
    private static partial void LogAllocated(ILogger logger, string service, string clusterIP, string nodePorts);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Service {Service} released what it no longer uses; it keeps cluster IP {ClusterIP}, node ports [{NodePorts}]")]
    private static partial void LogReleased(ILogger logger, string service, string clusterIP, string nodePorts);
}
