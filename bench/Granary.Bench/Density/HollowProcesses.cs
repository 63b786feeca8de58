using System.Diagnostics;

namespace Granary.Bench;

/// <summary>
/// The hollow nodes: P processes of NodeAgent/bin/Release (built first when missing), each
/// <c>Granary.NodeAgent --hollow-nodes K --hollow-first F</c> over the private cluster's Redis, with a temporary
/// state folder. Started together; ready once each says its nodes registered and synced. Disposing stops them
/// (SIGTERM) and removes the folder.
/// </summary>
internal sealed class HollowProcesses : IAsyncDisposable
{
    public const string NodePrefix = "hollow-";
    private const string AgentDll = "NodeAgent/bin/Release/net10.0/Granary.NodeAgent.dll";
    private const string ReadyLine = "hollow nodes registered and synced";
    private const int PodsPerNodeDefault = 110;

    private readonly string _stateDir;
    private readonly TextWriter _output;
    private readonly List<ChildProcess> _processes = [];

    private HollowProcesses(string stateDir, TextWriter output)
    {
        _stateDir = stateDir;
        _output = output;
    }

    public IReadOnlyList<ChildProcess> Processes => _processes;

    /// <summary>The process that holds the isolated nodes alone (the last one), or null when none was asked for.</summary>
    public ChildProcess? Isolated { get; private set; }

    /// <summary>The names of the isolated nodes: the last ones by index.</summary>
    public IReadOnlyList<string> IsolatedNodes { get; private set; } = [];

    /// <param name="cpus">The cores the processes may run on (taskset), or null for any.</param>
    /// <param name="isolated">The last nodes, put in a process of their own (beyond <paramref name="processes"/>) so that they can be killed together.</param>
    public static async Task<HollowProcesses> StartAsync(string repoRoot, LocalCluster cluster, int nodes, int pods, int processes, TextWriter output, CancellationToken ct,
        string? cpus = null, int isolated = 0)
    {
        var dll = await ProcessHelpers.EnsureBuiltAsync(repoRoot, "NodeAgent", AgentDll, output, ct);
        var hollow = new HollowProcesses(Directory.CreateTempSubdirectory("granary-bench-hollow-").FullName, output);
        try
        {
            // Room for the pods the run puts on a node when they spread unevenly; never more than a /24's addresses.
            var maxPods = Math.Min(253, Math.Max(PodsPerNodeDefault, 2 * (int)Math.Ceiling((double)pods / nodes)));
            // Several minutes for a thousand nodes to register on a busy machine.
            var limit = TimeSpan.FromSeconds(90 + nodes / 10.0);
            var started = Stopwatch.GetTimestamp();
            var starting = new List<Task<ChildProcess>>();
            var shared = nodes - isolated;
            for (var p = 0; p < processes + (isolated > 0 ? 1 : 0); p++)
            {
                var first = p < processes ? (int)((long)shared * p / processes) : shared;
                var count = p < processes ? (int)((long)shared * (p + 1) / processes) - first : isolated;
                string[] arguments =
                [
                    dll, "--redis", cluster.Redis, "--cluster-id", cluster.ClusterId, "--hollow-nodes", $"{count}", "--hollow-first", $"{first}",
                    "--hollow-prefix", NodePrefix, "--state-dir", Path.Combine(hollow._stateDir, $"p{p}"), "--max-pods", $"{maxPods}",
                ];
                var (file, args) = CpuPinning.Wrap(cpus, "dotnet", arguments);
                output.WriteLine($"starting hollow process {p}: {file} {string.Join(' ', args)}");
                starting.Add(ChildProcess.StartAsync($"hollow process {p}", file, args, repoRoot, ReadyLine, limit, ct));
            }
            try
            {
                await Task.WhenAll(starting);
            }
            finally
            {
                // Those that started are stopped by the dispose below when another failed.
                hollow._processes.AddRange(starting.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result));
            }
            if (isolated > 0)
            {
                hollow.Isolated = hollow._processes[^1];
                hollow.IsolatedNodes = [.. Enumerable.Range(shared, isolated).Select(i => Granary.NodeAgent.Hosting.Hollow.HollowNodeAddresses.Name(NodePrefix, i))];
            }
            output.WriteLine($"{nodes} hollow nodes in {processes} process(es) registered in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s (pids {string.Join(", ", hollow._processes.Select(p => p.Pid))})");
            return hollow;
        }
        catch
        {
            await hollow.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the isolated process at once (SIGKILL), as a machine that loses power: its nodes renew no lease and say no goodbye.</summary>
    public Task KillIsolatedAsync() =>
        (Isolated ?? throw new InvalidOperationException("no hollow nodes were started in a process of their own")).KillAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.StopAndReportAsync(_output);
            await process.DisposeAsync();
        }
        try
        {
            // Pods that mount volumes (a service-account token is a tmpfs) leave their mounts behind a stopped agent, as on a real node.
            Granary.Tools.MountCleanup.UnmountAllUnder(_stateDir);
            Directory.Delete(_stateDir, recursive: true);
        }
        catch (IOException e)
        {
            _output.WriteLine($"could not remove {_stateDir}: {e.Message}");
        }
    }
}
