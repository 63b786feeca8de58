using System.Globalization;
using System.Runtime.CompilerServices;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Runtime.Docker;

/// <summary>
/// The <c>docker</c> driver: a Docker engine through its Engine API (Docker.DotNet), at a unix socket
/// (unix:///run/granary/docker.sock) or on loopback TCP (tcp://127.0.0.1:2375). Every call has a deadline;
/// logs and exec run as long as the caller's token (or the exec timeout) allows.
/// </summary>
public sealed partial class DockerRuntime : IContainerRuntime, IContainerEventSource, IDisposable
{
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A pull downloads layers; it gets longer than an ordinary call.</summary>
    public static readonly TimeSpan DefaultPullTimeout = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan ExecExitPoll = TimeSpan.FromMilliseconds(10);

    private readonly DockerConnection _connection;
    private readonly TimeSpan _pullTimeout;
    private readonly ILogger _logger;
    // Image ids are content addresses, so what an id shows as imageID changes only when a pull adds a repository
    // digest: kept until the next pull, so a pass does not inspect every container's image again.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _imageRefs = new(StringComparer.Ordinal);
    private readonly InspectCache _inspections = new();
    private readonly DockerEventStream _events;

    public DockerRuntime(Uri endpoint, ILogger logger, TimeSpan? callTimeout = null, TimeSpan? pullTimeout = null)
    {
        _connection = new DockerConnection(endpoint, callTimeout ?? DefaultCallTimeout);
        _pullTimeout = pullTimeout ?? DefaultPullTimeout;
        _logger = logger;
        _events = new DockerEventStream(_connection, _inspections, logger);
    }

    public string Name => "docker";

    public bool IsolatesContainers => true;

    public Uri Endpoint => _connection.Endpoint;

    /// <summary>The Engine API version in use, pinned by the first call (null before it).</summary>
    public System.Version? ApiVersion => _connection.ApiVersion;

    public async Task<string> VersionAsync(CancellationToken ct)
    {
        var version = await _connection.CallAsync("version", (c, t) => c.System.GetVersionAsync(t), ct);
        return "docker://" + version.Version;
    }

    public async Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken ct)
    {
        var parameters = new ContainersListParameters { All = true };
        if (labels.Count > 0)
        {
            parameters.Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = labels.ToDictionary(l => $"{l.Key}={l.Value}", _ => true),
            };
        }
        var found = await _connection.CallAsync("list containers", (c, t) => c.Containers.ListContainersAsync(parameters, t), ct);
        // The list lacks exit codes and times; inspect each one that changed since it was last inspected (every one
        // while no events stream vouches for the cache). One that vanished in between is simply gone.
        var cached = _events.Live;
        var infos = new List<ContainerInfo>(found.Count);
        foreach (var container in found)
        {
            if (cached && _inspections.Get(container.ID, container.State) is { } known)
            {
                infos.Add(known);
                continue;
            }
            var begunAt = _inspections.Now();
            if (await InspectWithStateAsync(container.ID, ct) is ({ } info, var engineState))
            {
                infos.Add(info);
                if (cached)
                    _inspections.Keep(container.ID, engineState, info, begunAt);
            }
        }
        _inspections.Retain(labels, found.Select(c => c.ID).ToHashSet(StringComparer.Ordinal));
        return infos;
    }

    public async Task<ContainerInfo?> InspectAsync(string id, CancellationToken ct) => (await InspectWithStateAsync(id, ct)).Info;

    /// <summary>The inspect, with the engine's own word for the state (what its list shows too); nulls when the container is gone.</summary>
    private async Task<(ContainerInfo? Info, string? EngineState)> InspectWithStateAsync(string id, CancellationToken ct)
    {
        try
        {
            var inspect = await _connection.CallAsync($"inspect {id}", (c, t) => c.Containers.InspectContainerAsync(id, t), ct);
            var info = DockerMapping.ToInfo(inspect);
            return (info.ImageId is { } imageId ? info with { ImageRef = await ImageRefAsync(imageId, ct) } : info, inspect.State?.Status);
        }
        catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.NotFound)
        {
            return (null, null);
        }
    }

    /// <summary>The kubelet's imageID for an image id; null when the image is gone (removed after the container was made).</summary>
    private async Task<string?> ImageRefAsync(string imageId, CancellationToken ct)
    {
        if (_imageRefs.TryGetValue(imageId, out var known))
            return known;
        try
        {
            var image = await _connection.CallAsync($"inspect image {imageId}", (c, t) => c.Images.InspectImageAsync(imageId, t), ct);
            return _imageRefs[imageId] = DockerMapping.ToImageRef(image);
        }
        catch (RuntimeException e) when (e.Kind is RuntimeErrorKind.ImageNotFound or RuntimeErrorKind.NotFound)
        {
            return null;
        }
    }

    public async Task<bool> ImageExistsAsync(string image, CancellationToken ct)
    {
        try
        {
            await _connection.CallAsync($"inspect image {image}", (c, t) => c.Images.InspectImageAsync(image, t), ct);
            return true;
        }
        catch (RuntimeException e) when (e.Kind is RuntimeErrorKind.ImageNotFound or RuntimeErrorKind.NotFound)
        {
            return false;
        }
    }

    public async Task<string> ImageUserAsync(string image, CancellationToken ct)
    {
        var inspect = await _connection.CallAsync($"inspect image {image}", (c, t) => c.Images.InspectImageAsync(image, t), ct);
        return inspect.Config?.User ?? "";
    }

    public async Task PullImageAsync(string image, RegistryCredential? credential, CancellationToken ct)
    {
        var (repository, tag) = DockerMapping.SplitReference(image);
        var progress = new PullProgress();
        _imageRefs.Clear();
        LogPulling(_logger, image);
        try
        {
            await _connection.CallAsync($"pull {image}",
                (c, t) => c.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = repository, Tag = tag }, DockerMapping.ToAuthConfig(credential), progress, t),
                ct, _pullTimeout);
        }
        catch (RuntimeException e) when (e.Kind is RuntimeErrorKind.Failed or RuntimeErrorKind.NotFound or RuntimeErrorKind.ImageNotFound)
        {
            // The engine refused before streaming (no such repository, registry unreachable): its words, our kind.
            throw PullFailed(image, e.InnerException is { } inner ? DockerErrors.EngineMessage(inner) : e.Message, e);
        }
        // A failure after the stream started arrives as a message in the stream, not as a status code.
        if (progress.Error is { } error)
            throw PullFailed(image, error, null);
        LogPulled(_logger, image);
    }

    public async Task<string> CreateAsync(ContainerSpec spec, CancellationToken ct)
    {
        var created = await _connection.CallAsync($"create {spec.Name}",
            (c, t) => c.Containers.CreateContainerAsync(DockerMapping.ToCreateParameters(spec), t), ct);
        LogCreated(_logger, spec.Name, created.ID, spec.Image);
        return created.ID;
    }

    public async Task StartAsync(string id, CancellationToken ct)
    {
        _inspections.Changed(id);
        // false means it was already running: starting is idempotent.
        await _connection.CallAsync($"start {id}", (c, t) => c.Containers.StartContainerAsync(id, new ContainerStartParameters(), t), ct);
        LogStarted(_logger, id);
    }

    public async Task StopAsync(string id, TimeSpan grace, CancellationToken ct)
    {
        _inspections.Changed(id);
        var seconds = (uint)Math.Ceiling(Math.Max(0, grace.TotalSeconds));
        try
        {
            // The engine answers after the container has exited, so the deadline covers the grace period too.
            var stopped = await _connection.CallAsync($"stop {id}",
                (c, t) => c.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, t),
                ct, TimeSpan.FromSeconds(seconds) + _connection.CallTimeout);
            if (stopped)
                LogStopped(_logger, id, seconds);
        }
        catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.NotFound)
        {
            // Already gone: stopping is idempotent.
        }
    }

    public async Task RemoveAsync(string id, CancellationToken ct)
    {
        _inspections.Changed(id);
        try
        {
            await _connection.CallAsync($"remove {id}",
                (c, t) => c.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, t), ct);
            LogRemoved(_logger, id);
        }
        catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.NotFound)
        {
            // Already gone: removing is idempotent.
        }
    }

    public Task<ExecResult> ExecAsync(string id, IReadOnlyList<string> command, ReadOnlyMemory<byte> stdin, TimeSpan timeout, CancellationToken ct) =>
        _connection.CallAsync($"exec in {id}", async (client, token) =>
        {
            // Without input, stdin is not attached at all, so the command reads its end at once.
            var exec = await client.Exec.ExecCreateContainerAsync(id,
                new ContainerExecCreateParameters { Cmd = command.ToList(), AttachStdin = !stdin.IsEmpty, AttachStdout = true, AttachStderr = true }, token);
            string stdout, stderr;
            using (var stream = await client.Exec.StartAndAttachContainerExecAsync(exec.ID, tty: false, token))
            await using (token.Register(stream.Dispose))
            {
                // Read while writing, so a command that answers as it reads never waits on a full pipe.
                var output = stream.ReadOutputToEndAsync(token);
                if (!stdin.IsEmpty)
                {
                    var input = stdin.ToArray();
                    await stream.WriteAsync(input, 0, input.Length, token);
                    stream.CloseWrite();
                }
                (stdout, stderr) = await output;
            }
            // The output can end a moment before the engine records the exit code: wait for it, within the deadline.
            var inspect = await client.Exec.InspectContainerExecAsync(exec.ID, token);
            while (inspect.Running)
            {
                await Task.Delay(ExecExitPoll, token);
                inspect = await client.Exec.InspectContainerExecAsync(exec.ID, token);
            }
            // On timeout the command keeps running inside the container: the Engine API cannot kill an exec.
            return new ExecResult((int)inspect.ExitCode, stdout, stderr);
        }, ct, timeout);

    public async IAsyncEnumerable<LogLine> ReadLogsAsync(string id, LogOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Timestamps = true,
            Follow = options.Follow,
            Tail = options.Tail is { } tail ? tail.ToString(CultureInfo.InvariantCulture) : "all",
            Since = options.Since is { } since ? DockerMapping.ToUnixSince(since) : null,
        };
        var operation = $"logs of {id}";
        // Only opening the stream has a deadline; reading it lasts as long as the caller wants (follow).
        using var stream = await _connection.CallAsync(operation, async (c, t) =>
        {
            // A container with a terminal (tty: true, kubectl run -it) logs one raw stream, not stdout and stderr frames.
            var tty = (await c.Containers.InspectContainerAsync(id, t)).Config?.Tty == true;
            return await c.Containers.GetContainerLogsAsync(id, tty, parameters, t);
        }, ct);
        await foreach (var line in DockerLogReader.ReadAsync(stream, e => DockerErrors.Classify(e, Endpoint, operation), ct))
            yield return line;
    }

    public Task FollowAsync(IReadOnlyDictionary<string, string> labels, Action changed, CancellationToken ct) =>
        _events.FollowAsync(labels, changed, ct);

    public void Dispose() => _connection.Dispose();

    private static RuntimeException PullFailed(string image, string message, Exception? inner) =>
        new(RuntimeErrorKind.ImageNotFound, $"pulling {image} failed: {message}", inner);

    /// <summary>Collects the first error the engine streams back; reports arrive synchronously on the reading thread.</summary>
    private sealed class PullProgress : IProgress<JSONMessage>
    {
        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            var message = value.Error?.Message is { Length: > 0 } detailed ? detailed : value.ErrorMessage;
            if (!string.IsNullOrEmpty(message))
                Error ??= message;
        }
    }
}
