using System.Diagnostics.CodeAnalysis;
using Granary.Client;
using Granary.NodeAgent.Runtime.Docker;
using Granary.Tests.Integration.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Integration.Agent;

/// <summary>
/// One node's worth of real parts for the agent tests of one class: a private dockerd, a redis-server, a silo
/// process on it, and (unless told otherwise) a node agent process for one node, plus an SDK client.
/// Each class takes its own block: node address 127.0.0.1N and pods in 127.1.1N.0/24, so classes running
/// side by side never share an address.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "xUnit disposes fixtures through IAsyncLifetime.DisposeAsync, which disposes _engine.")]
public abstract class AgentClusterFixture(string nodeName, int block, bool startAgent = true) : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly string _stateDir = Directory.CreateTempSubdirectory("granary-agent-").FullName;
    private SiloProcess? _silo;
    private AgentProcess? _agent;
    private GranaryClient? _client;
    private DockerRuntime? _engine;
    private bool _disposed;

    public Dockerd Dockerd { get; } = new();

    public string ClusterId { get; } = $"agent-{Guid.NewGuid():N}"[..14];

    /// <summary>The agent's state directory (removed, mounts and all, with the fixture).</summary>
    protected string StateDir => _stateDir;

    public string NodeName { get; } = nodeName;

    public string NodeIp { get; } = $"127.0.0.{10 + block}";

    public string PodCidr { get; } = $"127.1.{10 + block}.0/24";

    /// <summary>The pod addresses' common prefix, e.g. "127.1.11.".</summary>
    public string PodIpPrefix => PodCidr[..(PodCidr.LastIndexOf('.') + 1)];

    public SiloProcess Silo => _silo ?? throw new InvalidOperationException("no silo runs");

    public AgentProcess Agent => _agent ?? throw new InvalidOperationException("no agent runs");

    public GranaryClient Client => _client ?? throw new InvalidOperationException("the fixture has not started");

    /// <summary>The fixture's own view of the engine, to check what the agent did there.</summary>
    public DockerRuntime Engine => _engine ?? throw new InvalidOperationException("the fixture has not started");

    public CliRunner Cli => CliRunner.ForGateway(Silo.Gateway, ClusterId, LabPki.For(_redis.Endpoint));

    /// <summary>The real kubectl against the silo's API (HTTPS and the admin token of its kubeconfig), with a private cache.</summary>
    public Kubectl Kubectl => new(Silo.Kubeconfig, Path.Combine(_stateDir, "kube-cache"));

    /// <summary>Settings without a flag, for every agent this fixture starts (GRANARY_* variables).</summary>
    protected virtual IReadOnlyDictionary<string, string> AgentEnvironment => new Dictionary<string, string>();

    public AgentOptions AgentOptions(IReadOnlyDictionary<string, string>? extraEnvironment = null) => new()
    {
        Redis = _redis.Endpoint,
        ClusterId = ClusterId,
        NodeName = NodeName,
        NodeIp = NodeIp,
        PodCidr = PodCidr,
        DockerHost = Dockerd.Endpoint,
        StateDir = _stateDir,
        Environment = AgentEnvironment.Concat(extraEnvironment ?? new Dictionary<string, string>()).ToDictionary(),
    };

    public async Task InitializeAsync()
    {
        try
        {
            await Task.WhenAll(Dockerd.InitializeAsync(), _redis.InitializeAsync());
            _engine = new DockerRuntime(Dockerd.Endpoint, NullLogger.Instance);
            await StartSiloAsync();
            _client = await ConnectAsync();
            if (startAgent)
                await StartAgentAsync();
        }
        catch
        {
            // Nothing may outlive a fixture that failed to start: no dockerd, silo or agent left behind.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Watches one pod from now on; its failure messages end with the agent's and the silo's recent output.</summary>
    /// <summary>Creates the pod with a watch started just before, so the test sees every state it goes through.</summary>
    public async Task<(PodWatch Watch, Granary.Model.Pod Created)> CreateWatchedAsync(Granary.Model.Pod pod)
    {
        var watch = await WatchPodAsync(pod.Metadata.Name!);
        var created = await Client.Pods.CreateAsync(pod);
        return (watch, created);
    }

    /// <summary>The engine's containers of one pod, by its uid label.</summary>
    public Task<IReadOnlyList<Granary.NodeAgent.Runtime.ContainerInfo>> ContainersOfAsync(string uid) =>
        Engine.ListAsync(new Dictionary<string, string> { [Granary.NodeAgent.Runtime.ContainerLabels.PodUid] = uid }, CancellationToken.None);

    /// <summary>Every line of a container's log, from the engine itself, until the container stops (the stream ends).</summary>
    public Task<List<string>> FollowLogAsync(string containerId, CancellationToken ct) => Task.Run(async () =>
    {
        var lines = new List<string>();
        await foreach (var line in Engine.ReadLogsAsync(containerId, new Granary.NodeAgent.Runtime.LogOptions { Follow = true }, ct))
            lines.Add(line.Text);
        return lines;
    }, ct);

    public Task<PodWatch> WatchPodAsync(string name) => PodWatch.StartAsync(Client, PodStates.Ns, name, RecentOutput);

    /// <summary>Watches one pod from its current state on (see <see cref="PodWatch.FromCurrent"/>).</summary>
    public PodWatch WatchPodFromCurrent(string name) => PodWatch.FromCurrent(Client, PodStates.Ns, name, RecentOutput);

    /// <summary>A new SDK client in place of the old one (after the silo it talked to was replaced), connected once a gateway answers.</summary>
    public async Task ReconnectClientAsync()
    {
        if (_client is not null)
            await _client.DisposeAsync();
        _client = null;
        _client = await ConnectAsync();
    }

    private Task<GranaryClient> ConnectAsync() => GranaryClient.ConnectAsync(LabPki.For(_redis.Endpoint).Client(new GranaryClientOptions
    {
        Redis = _redis.Endpoint,
        ClusterId = ClusterId,
        ConnectTimeout = TimeSpan.FromSeconds(60),
    }));

    /// <summary>The last lines the agent and the silo printed, to explain a failure.</summary>
    public string RecentOutput() =>
        $"\n--- agent (last 30 lines)\n{Tail(_agent?.Output)}\n--- silo (last 15 lines)\n{Tail(_silo?.Process.Output, 15)}";

    private static string Tail(string? output, int lines = 30) =>
        output is null ? "(not running)" : string.Join('\n', output.Split('\n').TakeLast(lines + 1)).TrimEnd();

    /// <summary>Starts a silo process on the fixture's Redis (a new one after <see cref="StopSiloAsync"/>), on fresh ports.</summary>
    public async Task StartSiloAsync()
    {
        if (_silo is not null)
            throw new InvalidOperationException("a silo already runs");
        _silo = await SiloProcess.StartAsync(_redis.Endpoint, ClusterId);
    }

    /// <summary>SIGTERM to the silo, and its exit.</summary>
    public async Task StopSiloAsync()
    {
        if (_silo is null)
            return;
        await _silo.DisposeAsync();
        _silo = null;
    }

    /// <summary>Starts an agent process for the fixture's node and waits for its first sync.</summary>
    public async Task<AgentProcess> StartAgentAsync()
    {
        if (_agent is not null)
            throw new InvalidOperationException("an agent already runs");
        _agent = await AgentProcess.StartSyncedAsync(AgentOptions());
        return _agent;
    }

    /// <summary>SIGTERM to the agent, and its exit: its exit code and everything it printed.</summary>
    public async Task<(int ExitCode, string Output)> StopAgentAsync()
    {
        var agent = Agent;
        _agent = null;
        await agent.StopAsync();
        var stopped = (agent.Process.ExitCode, agent.Output);
        await agent.DisposeAsync();
        return stopped;
    }

    public async Task DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_agent is not null)
            await _agent.DisposeAsync();
        if (_client is not null)
            await _client.DisposeAsync();
        if (_silo is not null)
            await _silo.DisposeAsync();
        await _redis.DisposeAsync();
        _engine?.Dispose();
        await Dockerd.DisposeAsync();
        ScratchDirectory.Remove(_stateDir);
    }
}
