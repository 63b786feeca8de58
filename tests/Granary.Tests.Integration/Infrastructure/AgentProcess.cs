namespace Granary.Tests.Integration.Infrastructure;

/// <summary>How to start a node agent process: which cluster, which node, which engine.</summary>
public sealed record AgentOptions
{
    public required string Redis { get; init; }
    public required string ClusterId { get; init; }
    public required string NodeName { get; init; }
    /// <summary>The node's own loopback address (InternalIP), e.g. 127.0.0.11.</summary>
    public required string NodeIp { get; init; }
    /// <summary>The node's loopback block for pod addresses, e.g. 127.1.11.0/24.</summary>
    public required string PodCidr { get; init; }
    public required Uri DockerHost { get; init; }
    public required string StateDir { get; init; }
    /// <summary>Further environment: GRANARY_* settings that have no flag, or systemd's variables.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A real node agent process (the built Granary.NodeAgent.dll) with the docker driver, connected to the
/// cluster through Redis. Stopped with SIGTERM, as systemd stops it.
/// </summary>
public sealed class AgentProcess : IAsyncDisposable
{
    /// <summary>What the agent logs each time it has registered its node and read its desired state.</summary>
    public const string SyncedLine = "registered and synced with";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private AgentProcess(ChildProcess process, AgentOptions options)
    {
        Process = process;
        Options = options;
    }

    public ChildProcess Process { get; }

    public AgentOptions Options { get; }

    public string Output => Process.Output;

    /// <summary>Starts the agent; returns once it runs (see <see cref="WaitUntilSyncedAsync"/> for its first sync).</summary>
    public static AgentProcess Start(AgentOptions options)
    {
        var args = new List<string>
        {
            RepoPaths.AgentDll,
            "--redis", options.Redis,
            "--cluster-id", options.ClusterId,
            "--node-name", options.NodeName,
            "--node-ip", options.NodeIp,
            "--docker-host", options.DockerHost.ToString(),
            "--driver", "docker",
            "--pod-network", "loopback",
            "--pod-cidr", options.PodCidr,
            "--state-dir", options.StateDir,
            // Any free port for the agent's server: tests run side by side, and the Node says which port it took.
            "--server-port", "0",
        };
        // The node's own certificate (CN=system:node:NAME) for mutual TLS to the gateways.
        args.AddRange(LabPki.For(options.Redis).NodeArguments(options.NodeName, options.NodeIp));
        var process = ChildProcess.Start($"agent:{options.NodeName}", "dotnet", args, options.Environment.ToDictionary());
        return new AgentProcess(process, options);
    }

    /// <summary>Starts the agent and waits until it has registered its node and synced once.</summary>
    public static async Task<AgentProcess> StartSyncedAsync(AgentOptions options)
    {
        var agent = Start(options);
        try
        {
            await agent.WaitUntilSyncedAsync(1, $"starting the agent for node {options.NodeName}");
            return agent;
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for the agent's <paramref name="connection"/>th registration (1 = the first; 2 = after one reconnect).</summary>
    public Task<string> WaitUntilSyncedAsync(int connection, string phase, TimeSpan? timeout = null) =>
        Process.WaitForLineAsync(SyncedLine, connection, timeout ?? StartTimeout, phase);

    /// <summary>SIGTERM, then the exit (SIGKILL after the grace period).</summary>
    public Task StopAsync() => Process.StopAsync(TimeSpan.FromSeconds(30));

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
