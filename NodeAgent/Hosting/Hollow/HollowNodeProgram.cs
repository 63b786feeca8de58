using System.Diagnostics;
using System.Runtime.InteropServices;
using Granary.Client;
using Granary.NodeAgent.Configuration;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Hosting.Hollow;

/// <summary>
/// <c>Granary.NodeAgent --hollow-nodes N</c>: N hollow nodes in one process over one cluster client, as kubemark's
/// hollow-node process runs the real kubelet. Prints one line when every node has registered and synced
/// ("hollow nodes registered and synced"), runs until SIGTERM or SIGINT, then stops every node.
/// </summary>
public static partial class HollowNodeProgram
{
    public const string ReadyLine = "hollow nodes registered and synced";
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(AgentSettings template, GranaryClientOptions clientOptions)
    {
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        // A thousand nodes log a thousand lines for each routine step: only what an operator must act on, and this program's own lines.
        using var loggers = LoggerFactory.Create(logging =>
        {
            HostLogging.Configure(logging);
            logging.SetMinimumLevel(LogLevel.Warning);
            logging.AddFilter(typeof(HollowNodeProgram).FullName, LogLevel.Information);
        });
        var log = loggers.CreateLogger(typeof(HollowNodeProgram).FullName!);
        if (template.HollowFirst < 0 || template.HollowFirst + template.HollowNodes > HollowNodeAddresses.MaxNodes)
        {
            Console.Error.WriteLine($"error: --hollow-first {template.HollowFirst} with --hollow-nodes {template.HollowNodes} leaves [0, {HollowNodeAddresses.MaxNodes}); start fewer nodes or a lower first index");
            return 2;
        }

        GranaryClient client;
        try
        {
            client = await GranaryClient.ConnectAsync(clientOptions, stop.Token);
        }
        catch (GranaryConnectException e)
        {
            // The message says where the agent looked and what to check.
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        await using var _ = client;
        var connector = new SharedControlPlane(client.Cluster, clientOptions.Describe() + " (shared by this process's hollow nodes)");
        var nodes = new List<HollowNode>(template.HollowNodes);
        try
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = template.HollowFirst; i < template.HollowFirst + template.HollowNodes; i++)
            {
                var node = new HollowNode(ForNode(template, i), connector, loggers, TimeProvider.System);
                nodes.Add(node);
                await node.StartAsync(stop.Token);
            }
            LogStarting(log, nodes.Count, template.HollowPrefix, template.HollowFirst, connector.Describe());
            await WaitUntilSyncedAsync(nodes, log, stop.Token);
            LogReady(log, nodes.Count, Stopwatch.GetElapsedTime(started).TotalSeconds);
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // SIGTERM or SIGINT: stop every node below.
        }
        finally
        {
            using var limit = new CancellationTokenSource(StopLimit);
            await Task.WhenAll(nodes.Select(n => n.StopAsync(limit.Token)));
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
        return 0;
    }

    /// <summary>Node i's settings: the template's, with its own name, address, pod block, state folder and no server port.</summary>
    public static AgentSettings ForNode(AgentSettings template, int index)
    {
        var settings = template.Copy();
        settings.NodeName = HollowNodeAddresses.Name(template.HollowPrefix, index);
        settings.NodeIp = HollowNodeAddresses.NodeIp(index);
        settings.PodCidr = HollowNodeAddresses.PodCidr(index);
        settings.PodNetwork = "loopback";
        settings.StateDir = Path.Combine(template.StateDir, settings.NodeName);
        settings.ServerPort = 0;
        settings.HollowNodes = 0;
        return settings;
    }

    /// <summary>Waits until every node's link has registered and synced once, saying every few seconds how many have.</summary>
    private static async Task WaitUntilSyncedAsync(IReadOnlyList<HollowNode> nodes, ILogger log, CancellationToken ct)
    {
        // The links report no event to wait on; a tick per second bounds the wait's lateness to that second.
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var ticks = 0;
        while (nodes.Any(n => n.Link.Connections == 0))
        {
            await tick.WaitForNextTickAsync(ct);
            if (++ticks % 5 == 0)
                LogProgress(log, nodes.Count(n => n.Link.Connections > 0), nodes.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started {Count} hollow nodes {Prefix}{First:D5}… over {ControlPlane}")]
    private static partial void LogStarting(ILogger logger, int count, string prefix, int first, string controlPlane);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Synced} of {Count} hollow nodes synced")]
    private static partial void LogProgress(ILogger logger, int synced, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} " + ReadyLine + " in {Seconds:0.0} s")]
    private static partial void LogReady(ILogger logger, int count, double seconds);
}
