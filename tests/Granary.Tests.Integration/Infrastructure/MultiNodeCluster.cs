using System.Diagnostics.CodeAnalysis;
using Granary.Client;
using Granary.NodeAgent.Runtime.Docker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>One node of a <see cref="MultiNodeCluster"/>: its name and its loopback block.</summary>
/// <param name="Name">The node name its agent registers.</param>
/// <param name="Block">The node's block: node address 127.0.0.(10+block), pods in 127.1.(10+block).0/24. Unique per test class.</param>
public sealed record ClusterNode(string Name, int Block)
{
    public string NodeIp => $"127.0.0.{10 + Block}";

    public string PodCidr => $"127.1.{10 + Block}.0/24";
}

/// <summary>
/// Several nodes' worth of real parts for end-to-end tests: one redis-server, one private dockerd, one Redis-backed
/// silo process (with the arguments a test class gives), and one agent process per node on that dockerd, each with
/// its own state directory and address block, that a test starts, kills (SIGKILL, as a crash) and restarts by name.
/// Plus the real kubectl and an SDK client. Derive a fixture class per test class and give it its own blocks.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "xUnit disposes fixtures through IAsyncLifetime.DisposeAsync, which disposes _engine.")]
public abstract class MultiNodeCluster(IReadOnlyList<ClusterNode> nodes, params string[] siloArguments) : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-multinode-").FullName;
    private readonly Dictionary<string, AgentProcess> _agents = new(StringComparer.Ordinal);
    private readonly List<string> _exitedOutput = [];
    private SiloProcess? _silo;
    private GranaryClient? _client;
    private DockerRuntime? _engine;
    private bool _disposed;

    public Dockerd Dockerd { get; } = new();

    public string ClusterId { get; } = $"multi-{Guid.NewGuid():N}"[..14];

    public IReadOnlyList<ClusterNode> Nodes => nodes;

    public SiloProcess Silo => _silo ?? throw new InvalidOperationException("no silo runs");

    public GranaryClient Client => _client ?? throw new InvalidOperationException("the cluster has not started");

    /// <summary>The test's own view of the engine every agent shares, to check what the agents did there.</summary>
    public DockerRuntime Engine => _engine ?? throw new InvalidOperationException("the cluster has not started");

    /// <summary>The real kubectl against the silo's API (HTTPS and the admin token of its kubeconfig), with a private cache.</summary>
    public Kubectl Kubectl => new(Silo.Kubeconfig, Path.Combine(_dir, "kube-cache"));

    /// <summary>The silo's arguments: the test class's, or (overridden) ones that need the cluster's certificate files.</summary>
    protected virtual IEnumerable<string> SiloArgumentsFor(LabPki pki) => siloArguments;

    /// <summary>Whether <see cref="InitializeAsync"/> starts every node's agent (true) or leaves that to the tests.</summary>
    protected virtual bool StartAgentsAtStart => true;

    /// <summary>The Redis endpoint the cluster's silos share.</summary>
    public string Redis => _redis.Endpoint;

    /// <summary>The cluster's lab certificates (CA, silo, node and user certificates).</summary>
    public LabPki Pki => LabPki.For(_redis.Endpoint);

    public ClusterNode Node(string name) =>
        nodes.FirstOrDefault(n => n.Name == name) ?? throw new ArgumentException($"no node {name} in this cluster", nameof(name));

    /// <summary>The running agent of <paramref name="node"/>.</summary>
    public AgentProcess Agent(string node) =>
        _agents.TryGetValue(node, out var agent) ? agent : throw new InvalidOperationException($"no agent runs for node {node}");

    public bool IsRunning(string node) => _agents.ContainsKey(node);

    public async Task InitializeAsync()
    {
        try
        {
            await Task.WhenAll(Dockerd.InitializeAsync(), _redis.InitializeAsync());
            _engine = new DockerRuntime(Dockerd.Endpoint, NullLogger.Instance);
            _silo = await SiloProcess.StartAsync(_redis.Endpoint, ClusterId, [.. SiloArgumentsFor(Pki)]);
            _client = await GranaryClient.ConnectAsync(LabPki.For(_redis.Endpoint).Client(new GranaryClientOptions
            {
                Redis = _redis.Endpoint,
                ClusterId = ClusterId,
                ConnectTimeout = TimeSpan.FromSeconds(60),
            }));
            if (StartAgentsAtStart)
                await Task.WhenAll(nodes.Select(n => StartAgentAsync(n.Name)));
        }
        catch
        {
            // Nothing may outlive a cluster that failed to start: no dockerd, silo or agent left behind.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>What the agent of <paramref name="node"/> is started with; its state directory survives kills and restarts.</summary>
    public AgentOptions AgentOptions(string node, IReadOnlyDictionary<string, string>? environment = null)
    {
        var n = Node(node);
        return new AgentOptions
        {
            Redis = _redis.Endpoint,
            ClusterId = ClusterId,
            NodeName = n.Name,
            NodeIp = n.NodeIp,
            PodCidr = n.PodCidr,
            DockerHost = Dockerd.Endpoint,
            StateDir = Path.Combine(_dir, "agents", n.Name),
            Environment = environment ?? new Dictionary<string, string>(),
        };
    }

    /// <summary>Starts the agent of <paramref name="node"/> (again, after a kill or stop) and waits for its first sync.</summary>
    public async Task<AgentProcess> StartAgentAsync(string node, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (_agents.ContainsKey(node))
            throw new InvalidOperationException($"the agent of node {node} already runs");
        var options = AgentOptions(node, environment);
        Directory.CreateDirectory(options.StateDir);
        var agent = await AgentProcess.StartSyncedAsync(options);
        lock (_agents)
            _agents[node] = agent;
        return agent;
    }

    /// <summary>SIGKILL to the agent of <paramref name="node"/>: it dies at once, its containers keep running, as in a crash.</summary>
    public async Task KillAgentAsync(string node)
    {
        var agent = Agent(node);
        _agents.Remove(node);
        await agent.Process.KillAsync();
        Keep(agent);
        await agent.DisposeAsync();
    }

    /// <summary>SIGTERM to the agent of <paramref name="node"/>, and its exit.</summary>
    public async Task StopAgentAsync(string node)
    {
        var agent = Agent(node);
        _agents.Remove(node);
        await agent.StopAsync();
        Keep(agent);
        await agent.DisposeAsync();
    }

    private void Keep(AgentProcess agent) =>
        _exitedOutput.Add($"--- agent {agent.Options.NodeName} (ended; last 20 lines)\n{Tail(agent.Output, 20)}");

    /// <summary>The last lines every agent and the silo printed, to explain a failure.</summary>
    public string RecentOutput() =>
        string.Join('\n', _exitedOutput.TakeLast(4)
            .Concat(_agents.Values.Select(a => $"--- agent {a.Options.NodeName} (last 20 lines)\n{Tail(a.Output, 20)}"))
            .Append($"--- silo (last 20 lines)\n{Tail(_silo?.Process.Output, 20)}"));

    private static string Tail(string? output, int lines) =>
        output is null ? "(not running)" : string.Join('\n', output.Split('\n').TakeLast(lines + 1)).TrimEnd();

    public async Task DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await Task.WhenAll(_agents.Values.Select(a => a.DisposeAsync().AsTask()));
        _agents.Clear();
        if (_client is not null)
            await _client.DisposeAsync();
        if (_silo is not null)
            await _silo.DisposeAsync();
        await _redis.DisposeAsync();
        _engine?.Dispose();
        await Dockerd.DisposeAsync();
        ScratchDirectory.Remove(_dir);
    }
}
