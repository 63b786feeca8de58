using System.Collections.Immutable;
using System.Net;
using System.Threading.Channels;
using Granary.NodeAgent.Networking.Services;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>
/// kube-proxy's loop: whenever the Services change (and every resync period, to retry what failed), plan with
/// <see cref="ProxyPlanner"/>, give the service interface its cluster IPs and apply the plan to the proxy. A
/// service whose cluster IP cannot be served here, or a listener that cannot open, is logged once, not every pass.
/// </summary>
public sealed partial class ServiceProxyService(
    IServiceCatalog catalog,
    IServiceProxy proxy,
    ProxyNode node,
    ServiceInterface? serviceInterface,
    ILogger<ServiceProxyService> logger) : BackgroundService
{
    private static readonly TimeSpan ResyncPeriod = TimeSpan.FromSeconds(30);
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private ImmutableHashSet<ServiceKey> _reportedUnreachable = [];
    private ImmutableHashSet<ListenerAddress> _reportedFailures = [];
    private string? _reportedInterfaceError;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        catalog.ServicesChanged += OnServicesChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await SyncAsync(stoppingToken);
                using var resync = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                resync.CancelAfter(ResyncPeriod);
                try
                {
                    await _changed.Reader.ReadAsync(resync.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The resync period passed without a change: plan again anyway, retrying what failed.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The agent is stopping.
        }
        finally
        {
            catalog.ServicesChanged -= OnServicesChanged;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await proxy.DisposeAsync();
        if (serviceInterface is not null)
            await serviceInterface.DeleteAsync(cancellationToken);
    }

    private void OnServicesChanged(ServiceTable table) => _changed.Writer.TryWrite(true);

    private async Task SyncAsync(CancellationToken ct)
    {
        var table = catalog.Services;
        if (!table.Synced)
            return;
        var plan = ProxyPlanner.Plan(table, node);
        if (serviceInterface is not null)
            await SyncInterfaceAsync(plan.InterfaceAddresses, ct);

        foreach (var service in plan.Unreachable)
            if (!_reportedUnreachable.Contains(service.Service))
                LogUnreachable(logger, service.Service.ToString(), service.ClusterIP, service.Reason);
        _reportedUnreachable = [.. plan.Unreachable.Select(u => u.Service)];

        var failures = proxy.Apply(plan);
        foreach (var failure in failures)
            if (!_reportedFailures.Contains(failure.Listener.Address))
                LogListenFailed(logger, failure.Listener.ToString(), failure.Reason);
        _reportedFailures = [.. failures.Select(f => f.Listener.Address)];
    }

    private async Task SyncInterfaceAsync(ImmutableArray<IPAddress> addresses, CancellationToken ct)
    {
        try
        {
            await serviceInterface!.SyncAsync(addresses, ct);
            _reportedInterfaceError = null;
        }
        catch (ServiceInterfaceException e)
        {
            // The listeners of those addresses fail to open and are retried with the next pass.
            if (_reportedInterfaceError != e.Message)
                LogInterfaceFailed(logger, serviceInterface!.Name, e.Message);
            _reportedInterfaceError = e.Message;
        }
    }
}
