using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using SysProcess = System.Diagnostics.Process;

namespace Granary.NodeAgent.Runtime.Process;

/// <summary>
/// The <c>process</c> driver: runs a container's command and args as a plain host process, like Nomad's
/// raw_exec. No isolation: the image is recorded but not used, memory and CPU limits are not enforced
/// (there is no cgroup of its own), and only mounts whose host and container paths are the same are accepted.
/// Each container runs in a session of its own, so stop and remove reach every process it started.
/// <para>
/// State lives in <c>stateDir/ID/</c>: the record (JSON), the log (CRI format) and two FIFOs carrying stdout
/// and stderr. A new instance over the same directory adopts what still runs. One agent per state directory.
/// </para>
/// </summary>
public sealed partial class ProcessRuntime : IContainerRuntime, IDisposable
{
    /// <summary>
    /// The exit code of a process this instance did not start (adopted after an agent restart): only a
    /// process's parent learns its exit status, so it is unknown; <see cref="ContainerInfo.Error"/> says so.
    /// </summary>
    public const int UnknownExitCode = -1;

    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private const string Setsid = "/usr/bin/setsid";
    private const string Shell = "/bin/sh";
    // Opens both FIFOs read-write (the process then holds a reader itself, see OutputPump) and becomes the command.
    private const string Launcher = "o=$1; e=$2; shift 2; exec \"$@\" </dev/null 1<>\"$o\" 2<>\"$e\"";
    private const string StdoutFifo = "stdout.fifo";
    private const string StderrFifo = "stderr.fifo";

    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AdoptedPoll = TimeSpan.FromMilliseconds(100);

    private readonly string _stateDir;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Container> _containers = [];
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Loads every container recorded in <paramref name="stateDir"/> and adopts those still running.</summary>
    public ProcessRuntime(string stateDir, ILogger logger, TimeProvider? time = null)
    {
        _stateDir = Path.GetFullPath(stateDir);
        _logger = logger;
        _time = time ?? TimeProvider.System;
        CreatePrivateDirectory(_stateDir);
        foreach (var dir in Directory.EnumerateDirectories(_stateDir))
            Load(dir);
    }

    public string Name => "process";

    public Task<string> VersionAsync(CancellationToken ct) => Task.FromResult("process://" + Environment.Version);

    public Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken ct)
    {
        lock (_lock)
        {
            IReadOnlyList<ContainerInfo> found = _containers.Values
                .Select(c => c.Record)
                .Where(r => labels.All(l => r.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
                .OrderBy(r => r.CreatedAt)
                .Select(r => r.ToInfo())
                .ToList();
            return Task.FromResult(found);
        }
    }

    /// <summary>Host processes share the host's file system, users and namespaces.</summary>
    public bool IsolatesContainers => false;

    public Task<ContainerInfo?> InspectAsync(string id, CancellationToken ct) => Task.FromResult(Find(id)?.Record.ToInfo());

    /// <summary>Images are not used: every image "exists".</summary>
    public Task<bool> ImageExistsAsync(string image, CancellationToken ct) => Task.FromResult(true);

    public Task PullImageAsync(string image, RegistryCredential? credential, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Images are not used; the pod's processes run as the agent's user (the agent refuses pods that ask otherwise).</summary>
    public Task<string> ImageUserAsync(string image, CancellationToken ct) => Task.FromResult("");

    public Task<string> CreateAsync(ContainerSpec spec, CancellationToken ct)
    {
        List<string> argv = [.. spec.Command ?? [], .. spec.Args ?? []];
        if (argv.Count == 0)
            throw new RuntimeException(RuntimeErrorKind.Failed, $"container {spec.Name}: the process driver runs the container's command and args, and both are empty (it cannot read an image's entrypoint)");
        if (spec.Mounts.FirstOrDefault(m => m.HostPath != m.ContainerPath) is { } mount)
            throw new RuntimeException(RuntimeErrorKind.Failed, $"container {spec.Name}: the process driver cannot mount {mount.HostPath} at {mount.ContainerPath}; it runs on the host, where only a mount of a path onto itself works");
        var env = new Dictionary<string, string> { ["PATH"] = DefaultPath, ["HOSTNAME"] = spec.Hostname ?? Environment.MachineName };
        foreach (var (key, value) in spec.Env)
            env[key] = value;
        lock (_lock)
        {
            if (_containers.Values.Any(c => c.Record.Name == spec.Name))
                throw new RuntimeException(RuntimeErrorKind.Conflict, $"container name {spec.Name} is already in use");
            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var dir = Path.Combine(_stateDir, id);
            CreatePrivateDirectory(dir);
            // A given working directory must exist on the host (start says so if not); only our default is made here.
            var workDir = spec.WorkingDir ?? Directory.CreateDirectory(Path.Combine(dir, "work")).FullName;
            var record = new ProcessRecord
            {
                Id = id,
                Name = spec.Name,
                Image = spec.Image,
                Argv = argv,
                Env = env,
                WorkingDir = workDir,
                Labels = new Dictionary<string, string>(spec.Labels),
                State = ContainerRunState.Created,
                CreatedAt = _time.GetUtcNow(),
            };
            ProcessRecordFile.Save(dir, record);
            _containers[id] = new Container(dir, record, _time);
            LogCreated(_logger, spec.Name, id, argv[0]);
            return Task.FromResult(id);
        }
    }

    public Task StartAsync(string id, CancellationToken ct)
    {
        var container = Find(id) ?? throw NotFound(id);
        lock (container.Gate)
        {
            var record = container.Record;
            if (record.State == ContainerRunState.Running)
                return Task.CompletedTask;
            if (Executable.Resolve(record.Argv[0], record.Env.GetValueOrDefault("PATH"), record.WorkingDir) is null)
            {
                var error = $"exec: \"{record.Argv[0]}\": executable file not found in $PATH";
                Update(container, record with { State = ContainerRunState.Exited, ExitCode = 127, FinishedAt = _time.GetUtcNow(), Error = error });
                throw new RuntimeException(RuntimeErrorKind.Failed, $"starting container {record.Name}: {error}");
            }
            var stdout = Path.Combine(container.Dir, StdoutFifo);
            var stderr = Path.Combine(container.Dir, StderrFifo);
            HostProcess.MakeFifo(stdout);
            HostProcess.MakeFifo(stderr);
            // Open the read ends first: output of a process that exits at once must still reach the log.
            // They are closed below if the launch fails, else the pumps own them (OutputPump.RunAsync closes each).
#pragma warning disable CA2000
            var outHandle = HostProcess.OpenFifoForReading(stdout);
            var errHandle = HostProcess.OpenFifoForReading(stderr);
#pragma warning restore CA2000
            SysProcess child;
            try
            {
                child = Launch(record, stdout, stderr);
            }
            catch
            {
                outHandle.Dispose();
                errHandle.Dispose();
                throw;
            }
            // A child that already exited may be reaped and have no stat; its exit code still comes through the Process.
            var stat = HostProcess.ReadStat(child.Id);
            container.Begin(child);
            Update(container, record with
            {
                State = ContainerRunState.Running,
                Pid = child.Id,
                PidStartTicks = stat?.StartTicks,
                StartedAt = _time.GetUtcNow(),
                ExitCode = null,
                FinishedAt = null,
                Error = null,
            });
            container.Pumps = StartPumps(container, outHandle, errHandle);
            _ = WatchChildAsync(container, child);
            LogStarted(_logger, id, child.Id);
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(string id, TimeSpan grace, CancellationToken ct)
    {
        if (Find(id) is not { } container || container.Record.State != ContainerRunState.Running)
            return;
        if (!SignalIfAlive(container, HostProcess.SigTerm) || !await container.WaitExitedAsync(grace, ct))
        {
            SignalIfAlive(container, HostProcess.SigKill);
            if (!await container.WaitExitedAsync(KillWait, ct))
                throw new RuntimeException(RuntimeErrorKind.Timeout, $"container {id} did not exit within {KillWait.TotalSeconds:0}s of SIGKILL");
        }
        LogStopped(_logger, id, container.Record.ExitCode);
    }

    public async Task RemoveAsync(string id, CancellationToken ct)
    {
        if (Find(id) is not { } container)
            return;
        if (container.Record.State == ContainerRunState.Running)
        {
            SignalIfAlive(container, HostProcess.SigKill);
            if (!await container.WaitExitedAsync(KillWait, ct))
                throw new RuntimeException(RuntimeErrorKind.Timeout, $"container {id} did not exit within {KillWait.TotalSeconds:0}s of SIGKILL");
        }
        lock (_lock)
        {
            if (!_containers.Remove(id))
                return;
        }
        // The run is over (Exited is recorded only after its exit code was read): the log and the Process handle go with it.
        container.Dispose();
        Directory.Delete(container.Dir, recursive: true);
        LogRemoved(_logger, id);
    }

    public async Task<ExecResult> ExecAsync(string id, IReadOnlyList<string> command, ReadOnlyMemory<byte> stdin, TimeSpan timeout, CancellationToken ct)
    {
        var record = (Find(id) ?? throw NotFound(id)).Record;
        if (record.State != ContainerRunState.Running)
            throw new RuntimeException(RuntimeErrorKind.Conflict, $"container {id} is not running");
        return await Exec.RunAsync(record, command, stdin, timeout, ct);
    }

    public Task<IStreamSession> ExecStreamAsync(string id, IReadOnlyList<string> command, StreamRequest request, CancellationToken ct)
    {
        var record = (Find(id) ?? throw NotFound(id)).Record;
        if (record.State != ContainerRunState.Running)
            throw new RuntimeException(RuntimeErrorKind.Conflict, $"container {id} is not running");
        if (request.Tty)
        {
            throw new RuntimeException(RuntimeErrorKind.Unsupported,
                "a terminal (tty, kubectl exec -t) needs the docker driver: the process driver runs commands on pipes; run the command without -t (-i alone works)");
        }
        return Task.FromResult<IStreamSession>(new ProcessStreamSession(Exec.Start(record, command), request));
    }

    /// <summary>A container's main process writes to its log files and reads nothing, so there is nothing to attach to here.</summary>
    public Task<IStreamSession> AttachAsync(string id, StreamRequest request, CancellationToken ct) =>
        throw new RuntimeException(RuntimeErrorKind.Unsupported,
            "attach needs the docker driver: the process driver's containers write to log files and have no input; follow their output with kubectl logs -f");

    public async IAsyncEnumerable<LogLine> ReadLogsAsync(string id, LogOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        var container = Find(id) ?? throw NotFound(id);
        await foreach (var line in ProcessLogFile.ReadAsync(container.Log.Path, options, () => container.Record.State != ContainerRunState.Running, ct))
            yield return line;
    }

    /// <summary>Stops reading output and watching processes; the processes keep running for the next agent to adopt.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        List<Container> all;
        lock (_lock)
            all = [.. _containers.Values];
        // The FIFOs' read ends must be closed before a new instance opens its own.
        Task.WaitAll(all.Select(c => c.Pumps).ToArray(), DrainWait);
        foreach (var container in all)
            container.Dispose();
        _stopping.Dispose();
    }

    private Container? Find(string id)
    {
        lock (_lock)
            return _containers.GetValueOrDefault(id);
    }

    private static RuntimeException NotFound(string id) => new(RuntimeErrorKind.NotFound, $"container {id} not found");

    /// <summary>Replaces the record in memory and on disk.</summary>
    private static void Update(Container container, ProcessRecord record)
    {
        ProcessRecordFile.Save(container.Dir, record);
        container.Record = record;
    }

    private static SysProcess Launch(ProcessRecord record, string stdout, string stderr)
    {
        if (!Directory.Exists(record.WorkingDir))
            throw new RuntimeException(RuntimeErrorKind.Failed, $"starting container {record.Name}: working directory {record.WorkingDir} does not exist");
        if (!File.Exists(Setsid))
            throw new RuntimeException(RuntimeErrorKind.Failed, $"the process driver needs {Setsid} (util-linux) to give each container a session of its own");
        var info = new System.Diagnostics.ProcessStartInfo(Setsid) { UseShellExecute = false, WorkingDirectory = record.WorkingDir };
        foreach (var arg in new[] { Shell, "-c", Launcher, "sh", stdout, stderr }.Concat(record.Argv))
            info.ArgumentList.Add(arg);
        info.Environment.Clear();
        foreach (var (key, value) in record.Env)
            info.Environment[key] = value;
        return SysProcess.Start(info) ?? throw new RuntimeException(RuntimeErrorKind.Failed, $"starting container {record.Name}: the process did not start");
    }

    private static void CreatePrivateDirectory(string path)
    {
        // The record holds the container's environment, secrets included: owner only.
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the process driver needs Linux: signals, FIFOs and /proc");
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
