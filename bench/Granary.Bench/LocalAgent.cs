using System.Diagnostics;
using Granary.Client;
using Granary.Errors;
using Granary.Model;

namespace Granary.Bench;

/// <summary>
/// One node agent process, as an operator runs it: NodeAgent/bin/Release/net10.0/Granary.NodeAgent.dll (built first
/// when missing), connected to the private cluster through its Redis, with the docker driver on the private engine,
/// node "bench-node" at 127.0.0.1, loopback pod addresses from 127.1.9.0/24 and a temporary state folder.
/// Disposing stops it with SIGTERM and removes the folder.
/// </summary>
internal sealed class LocalAgent : IAsyncDisposable
{
    public const string NodeName = "bench-node";
    public const string PodCidr = "127.1.9.0/24";

    /// <summary>Pods the block holds: a /24 less its network, node and broadcast addresses.</summary>
    public const int MaxPodAddresses = 253;

    /// <summary>The agent's own default for --max-pods.</summary>
    public const int DefaultMaxPods = 110;

    private const string AgentDll = "NodeAgent/bin/Release/net10.0/Granary.NodeAgent.dll";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReadyPoll = TimeSpan.FromMilliseconds(100);

    private readonly string _stateDir;
    private readonly TextWriter _output;
    private ChildProcess? _process;

    private LocalAgent(string stateDir, TextWriter output)
    {
        _stateDir = stateDir;
        _output = output;
    }

    public ChildProcess Process => _process ?? throw new InvalidOperationException("the agent is not started");

    /// <summary>Starts the agent and waits until it says it registered the node and synced with the control plane.</summary>
    /// <param name="agentDll">Another build of the agent to run (to compare two builds); null for the repository's Release build.</param>
    public static async Task<LocalAgent> StartAsync(string repoRoot, LocalCluster cluster, Uri dockerHost, int pods, TextWriter output, CancellationToken ct,
        string? agentDll = null)
    {
        var dll = agentDll ?? await ProcessHelpers.EnsureBuiltAsync(repoRoot, "NodeAgent", AgentDll, output, ct);
        var agent = new LocalAgent(Directory.CreateTempSubdirectory("granary-bench-agent-").FullName, output);
        try
        {
            List<string> arguments =
            [
                dll, "--redis", cluster.Redis, "--cluster-id", cluster.ClusterId,
                "--driver", "docker", "--docker-host", dockerHost.ToString(),
                "--node-name", NodeName, "--node-ip", "127.0.0.1", "--pod-cidr", PodCidr, "--state-dir", agent._stateDir,
            ];
            // Only when the run needs more room than the agent's default, so that a default run starts the agent as an operator would.
            if (pods > DefaultMaxPods)
                arguments.AddRange(["--max-pods", $"{pods}"]);
            output.WriteLine($"starting the agent: dotnet {string.Join(' ', arguments)}");
            var started = Stopwatch.GetTimestamp();
            agent._process = await ChildProcess.StartAsync("the agent", "dotnet", arguments, repoRoot, "registered and synced with", StartLimit, ct);
            output.WriteLine($"agent registered node {NodeName} in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s (pid {agent._process.Pid})");
            return agent;
        }
        catch
        {
            await agent.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the node object says Ready=True, as a scheduler would see it.</summary>
    public async Task WaitUntilNodeReadyAsync(GranaryClient client, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        Node? node = null;
        while (Stopwatch.GetElapsedTime(started) < ReadyLimit)
        {
            if (Process.HasExited)
                throw new BenchmarkException($"the agent exited with code {Process.ExitCode} before node {NodeName} was Ready. {Process.FormatTail()}");
            try
            {
                node = await client.Nodes.GetAsync(null, NodeName, ct);
            }
            catch (NotFoundException)
            {
                node = null;
            }
            if (node?.Status?.Conditions?.Find(c => c.Type == "Ready") is { Status: "True" })
            {
                _output.WriteLine($"node {NodeName} Ready ({node.Status.NodeInfo?.ContainerRuntimeVersion}, pods {node.Status.Allocatable?.GetValueOrDefault("pods")})");
                return;
            }
            await Task.Delay(ReadyPoll, ct);
        }
        var ready = node?.Status?.Conditions?.Find(c => c.Type == "Ready");
        throw new BenchmarkException($"node {NodeName} was not Ready {ReadyLimit.TotalSeconds:0} s after the agent registered it " +
            $"({(node is null ? "the node does not exist" : $"Ready={ready?.Status ?? "none"} {ready?.Reason} {ready?.Message}")}). {Process.FormatTail()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.StopAndReportAsync(_output);
            await _process.DisposeAsync();
        }
        try
        {
            // An agent stopped with pods still running leaves their tmpfs volumes mounted (a restarted agent adopts them).
            Granary.Tools.MountCleanup.UnmountAllUnder(_stateDir);
            Directory.Delete(_stateDir, recursive: true);
        }
        catch (IOException e)
        {
            _output.WriteLine($"could not remove {_stateDir}: {e.Message}");
        }
    }
}
