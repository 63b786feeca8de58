using Granary.Api;
using Granary.Client;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.Hosting;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Granary.Retry;

namespace Granary.NodeAgent.ControlPlane;

/// <summary>
/// Keeps the agent connected: registers the node, renews its lease, keeps the observer subscribed and resyncs
/// the full desired state. On any failure it reconnects with back-off and resyncs from a snapshot, never from
/// memory alone; meanwhile the pods keep running (static stability).
/// </summary>
public sealed partial class ControlPlaneLink(
    IControlPlaneConnector connector,
    NodeDescriber describer,
    DesiredPods desired,
    AgentObserver observer,
    StartupGate startup,
    AgentHealth health,
    ControlPlaneRefusals refusals,
    IOptions<AgentSettings> settings,
    TimeProvider time,
    ILogger<ControlPlaneLink> logger) : BackgroundService, IControlPlaneSession
{
    public const string LoopName = "control-plane";
    // Short, so that when the control plane comes back every agent renews within the node lifecycle controller's
    // first grace period (10 s by default), before it judges any lease: a control plane outage never evicts pods.
    private readonly AgentSettings _settings = settings.Value;
    private volatile INodeGrain? _node;
    // Orleans holds observers weakly: the agent keeps its own reference (this field), or notifications stop arriving.
    private readonly AgentObserver _observer = observer;

    /// <summary>The node's grain while connected; null during an outage.</summary>
    public INodeGrain? Node => _node;

    /// <summary>The client while connected (pods' own grains for deletion confirmations).</summary>
    public GranaryClient? Client => _connection?.Client;

    private volatile ControlPlaneConnection? _connection;
    private volatile TaskCompletionSource<ControlPlaneConnection> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<ControlPlaneConnection> WaitForConnectionAsync(CancellationToken ct) => _connected.Task.WaitAsync(ct);

    public ControlPlaneConnection? Connection => _connection;

    private CancellationTokenSource? _lost;

    private void Connected(GranaryClient client)
    {
        _lost = new CancellationTokenSource();
        var connection = new ControlPlaneConnection(client, _lost.Token);
        _connection = connection;
        _connected.TrySetResult(connection);
    }

    private void Disconnected()
    {
        _connection = null;
        if (_connected.Task.IsCompleted)
            _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _lost?.Cancel();
        _lost?.Dispose();
        _lost = null;
    }

    public string NodeName => _settings.EffectiveNodeName;

    /// <summary>How many times the agent has (re)connected and read its full desired state; changes after every outage.</summary>
    public int Connections => _connections;

    private volatile int _connections;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The lease loop beats each period; allow a few missed beats (slow calls) before the watchdog objects.
        health.Register(LoopName, _settings.LeasePeriod * 6 + TimeSpan.FromSeconds(30));
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));
        // A refusal lasts until an operator acts: reconnecting every few seconds would only repeat it.
        var refusedBackoff = new Backoff(ControlPlaneRefusals.FirstRetry, ControlPlaneRefusals.LongestRetry);
        var wasConnected = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            health.Beat(LoopName);
            GranaryClient? client = null;
            try
            {
                client = await connector.ConnectAsync(stoppingToken);
                Connected(client);
                await RunConnectedAsync(client, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // A refusal was logged by the refusals, with what to fix; it is no lost control plane.
                var refused = e is Errors.ForbiddenException;
                if (!IsConnectionFault(e))
                {
                    // Not a fault of the connection: an exception type this agent cannot read, or a bug on either side.
                    // It must not end the link (the pods keep running, the agent reconnects), but someone should look.
                    LogUnexpected(logger, connector.Describe(), e);
                }
                else if (wasConnected && !refused)
                {
                    LogDisconnected(logger, connector.Describe(), e.Message);
                }
                wasConnected = false;
                _node = null;
                Disconnected();
                if (client is not null)
                    await client.DisposeAsync();
                if (!await (refused ? refusedBackoff : backoff).TryDelayAsync(time, stoppingToken))
                    break;
                continue;
            }
            backoff.Reset();
            refusedBackoff.Reset();
            wasConnected = true;
        }
        Disconnected();
    }

    private async Task RunConnectedAsync(GranaryClient client, CancellationToken ct)
    {
        var node = client.Grains.GetGrain<INodeGrain>(NodeName);
        var description = await describer.DescribeAsync(ct);
        var registered = await refusals.CallAsync(AgentCall.RegisterNode, NodeName, () => node.RegisterAsync(description));
        var link = client.Grains.GetGrain<INodeAgentGrain>(NodeName);
        var reference = client.Grains.CreateObjectReference<INodeAgentObserver>(_observer);
        await refusals.CallAsync(AgentCall.ReadAssignedPods, NodeName, () => link.SubscribeAsync(reference));
        await RenewLeaseAsync(node);
        var readAt = time.GetUtcNow();
        desired.ReplaceAll(await refusals.CallAsync(AgentCall.ReadAssignedPods, NodeName, node.GetAssignedPodsAsync), readAt);
        _node = node;
        Interlocked.Increment(ref _connections);
        LogConnected(logger, NodeName, connector.Describe(), registered.Metadata.ResourceVersion ?? "?");
        startup.ControlPlaneSynced();

        var lastResync = time.GetUtcNow();
        var lastRegistration = time.GetUtcNow();
        using var timer = new PeriodicTimer(_settings.LeasePeriod, time);
        while (await timer.WaitForNextTickAsync(ct))
        {
            await RenewLeaseAsync(node);
            health.Beat(LoopName);
            var now = time.GetUtcNow();
            if (now - lastResync >= _settings.ResyncPeriod)
            {
                // Subscriptions die with a silo; renewing is idempotent, and the snapshot repairs lost notifications.
                await refusals.CallAsync(AgentCall.ReadAssignedPods, NodeName, () => link.SubscribeAsync(reference));
                desired.ReplaceAll(await refusals.CallAsync(AgentCall.ReadAssignedPods, NodeName, node.GetAssignedPodsAsync), now);
                lastResync = now;
            }
            if (now - lastRegistration >= TimeSpan.FromMinutes(1))
            {
                // Status (conditions' heartbeat, capacity) refreshed now and then, as the kubelet does.
                var refreshed = await describer.DescribeAsync(ct);
                await refusals.CallAsync(AgentCall.RegisterNode, NodeName, () => node.RegisterAsync(refreshed));
                lastRegistration = now;
            }
        }
    }

    private Task RenewLeaseAsync(INodeGrain node) =>
        refusals.CallAsync(AgentCall.RenewLease, NodeName, () => node.RenewLeaseAsync(NodeName, _settings.LeasePeriod * 4));

    private static bool IsConnectionFault(Exception e) =>
        e is GranaryConnectException or OrleansException or TimeoutException or Errors.GranaryException or ObjectDisposedException or InvalidOperationException
            or OperationCanceledException;

    [LoggerMessage(Level = LogLevel.Error, Message = "The link to the control plane at {ControlPlane} failed unexpectedly. Pods keep running; reconnecting with back-off")]
    private static partial void LogUnexpected(ILogger logger, string controlPlane, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} registered and synced with {ControlPlane} (revision {Revision})")]
    private static partial void LogConnected(ILogger logger, string node, string controlPlane, string revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the control plane at {ControlPlane}: {Reason}. Pods keep running; reconnecting with back-off")]
    private static partial void LogDisconnected(ILogger logger, string controlPlane, string reason);
}
