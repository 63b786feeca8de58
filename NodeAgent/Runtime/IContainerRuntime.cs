namespace Granary.NodeAgent.Runtime;

/// <summary>
/// The container engine behind the agent: one small contract that every driver implements
/// (<c>docker</c>, <c>process</c>, <c>simulated</c>). Engine types never leave a driver.
///
/// Contract for every method: it takes a cancellation token and gives up (with <see cref="RuntimeException"/>
/// of kind <see cref="RuntimeErrorKind.Timeout"/>) rather than hang; results are snapshots; stop and remove
/// are idempotent (a missing container is success); errors are classified by <see cref="RuntimeErrorKind"/>,
/// never by message.
/// </summary>
public interface IContainerRuntime
{
    /// <summary>The driver's name: docker, process or simulated.</summary>
    string Name { get; }

    /// <summary>
    /// Whether containers get their own file system, users and namespaces (bind mounts, securityContext, hostPID);
    /// false for a driver that runs host processes, whose pods asking for these are refused.
    /// </summary>
    bool IsolatesContainers { get; }

    /// <summary>The engine and its version, as nodeInfo.containerRuntimeVersion shows it (e.g. "docker://20.10.24").</summary>
    Task<string> VersionAsync(CancellationToken ct);

    /// <summary>Every container (running or not) carrying all of <paramref name="labels"/>.</summary>
    Task<IReadOnlyList<ContainerInfo>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken ct);

    /// <summary>One container, or null when it does not exist.</summary>
    Task<ContainerInfo?> InspectAsync(string id, CancellationToken ct);

    Task<bool> ImageExistsAsync(string image, CancellationToken ct);

    /// <summary>
    /// Pulls an image, with <paramref name="credential"/> when given (else anonymously); fails with
    /// <see cref="RuntimeErrorKind.ImageNotFound"/> carrying the engine's message (never the credential).
    /// </summary>
    Task PullImageAsync(string image, RegistryCredential? credential, CancellationToken ct);

    /// <summary>
    /// The user an image runs as when the container names none (its config's User: "", "1000", "1000:1000", "nobody"),
    /// for runAsNonRoot; "" for root or unset. Requires the image to be present.
    /// </summary>
    Task<string> ImageUserAsync(string image, CancellationToken ct);

    /// <summary>Creates (does not start) a container; returns its id.</summary>
    Task<string> CreateAsync(ContainerSpec spec, CancellationToken ct);

    Task StartAsync(string id, CancellationToken ct);

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>. Idempotent.</summary>
    Task StopAsync(string id, TimeSpan grace, CancellationToken ct);

    /// <summary>Removes a container, stopping it first if needed. Idempotent.</summary>
    Task RemoveAsync(string id, CancellationToken ct);

    /// <summary>
    /// Runs a command inside a running container and returns its output and exit code. The command reads
    /// <paramref name="stdin"/> and then the end of its input (empty: the end at once); it never waits on a terminal.
    /// </summary>
    Task<ExecResult> ExecAsync(string id, IReadOnlyList<string> command, ReadOnlyMemory<byte> stdin, TimeSpan timeout, CancellationToken ct);

    /// <summary>
    /// Starts a command inside a running container with its streams connected as <paramref name="request"/> says
    /// (kubectl exec): output is read as it is produced and the session lasts as long as the command, with no time
    /// limit. Only starting has a deadline. A driver that cannot give a terminal refuses one with
    /// <see cref="RuntimeErrorKind.Unsupported"/>.
    /// </summary>
    Task<IStreamSession> ExecStreamAsync(string id, IReadOnlyList<string> command, StreamRequest request, CancellationToken ct);

    /// <summary>
    /// Connects to the streams of a running container's main process (kubectl attach): its output from now on and,
    /// when the container was created with stdin open, its input. Ending the session leaves the process running.
    /// </summary>
    Task<IStreamSession> AttachAsync(string id, StreamRequest request, CancellationToken ct);

    /// <summary>The container's output, oldest first; with <see cref="LogOptions.Follow"/> it waits for more until cancelled.</summary>
    IAsyncEnumerable<LogLine> ReadLogsAsync(string id, LogOptions options, CancellationToken ct);
}

/// <summary>What to create. Labels carry the pod's identity so a restarted agent adopts what runs.</summary>
public sealed record ContainerSpec
{
    /// <summary>The engine-side name, unique per attempt (see <see cref="ContainerLabels"/>).</summary>
    public required string Name { get; init; }
    public required string Image { get; init; }
    /// <summary>Replaces the image's entrypoint when set (Kubernetes' command).</summary>
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>Replaces the image's cmd when set (Kubernetes' args).</summary>
    public IReadOnlyList<string>? Args { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public string? WorkingDir { get; init; }
    public long? MemoryLimitBytes { get; init; }
    /// <summary>CPU limit in thousandths of a core.</summary>
    public long? CpuLimitMilli { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<VolumeMount> Mounts { get; init; } = [];
    public string? Hostname { get; init; }
    /// <summary>Who the process runs as and what it may do (the pod's and container's securityContext, resolved).</summary>
    public ContainerSecurity Security { get; init; } = ContainerSecurity.Default;
    /// <summary>Keeps the main process's stdin open for attach (the container's <c>stdin</c>).</summary>
    public bool OpenStdin { get; init; }
    /// <summary>Closes stdin after the first attach ends (<c>stdinOnce</c>).</summary>
    public bool StdinOnce { get; init; }
    /// <summary>Runs the main process under a terminal (<c>tty</c>).</summary>
    public bool Tty { get; init; }
}

public sealed record VolumeMount(string HostPath, string ContainerPath, bool ReadOnly);

/// <summary>Registry credentials for one pull (from a pod's imagePullSecrets). ToString never shows the secret parts.</summary>
public sealed record RegistryCredential
{
    public string? Username { get; init; }
    public string? Password { get; init; }
    public string? IdentityToken { get; init; }
    public string? Email { get; init; }
    /// <summary>The registry the credential is for, as the config named it.</summary>
    public string? ServerAddress { get; init; }

    public override string ToString() => $"credential of {Username ?? "(token)"} for {ServerAddress}";
}

/// <summary>
/// The isolation a container asks for, engine-neutral. The default is the engine's default: the image's user, a
/// writable root file system, the engine's default capabilities, its own PID and IPC namespaces.
/// </summary>
public sealed record ContainerSecurity
{
    public static readonly ContainerSecurity Default = new();

    /// <summary>"uid" or "uid:gid" (runAsUser, runAsGroup); null: the image's user.</summary>
    public string? User { get; init; }
    /// <summary>Extra groups of the process (supplementalGroups, then fsGroup).</summary>
    public IReadOnlyList<long> Groups { get; init; } = [];
    public bool ReadOnlyRootFilesystem { get; init; }
    /// <summary>Capabilities by kube's names (NET_ADMIN, ALL), added to and dropped from the engine's defaults.</summary>
    public IReadOnlyList<string> CapabilitiesAdd { get; init; } = [];
    public IReadOnlyList<string> CapabilitiesDrop { get; init; } = [];
    /// <summary>allowPrivilegeEscalation: false → setuid binaries cannot gain privileges (no_new_privs).</summary>
    public bool NoNewPrivileges { get; init; }
    public bool Privileged { get; init; }
    /// <summary>The host's PID namespace (hostPID).</summary>
    public bool HostPid { get; init; }
    /// <summary>The host's IPC namespace (hostIPC).</summary>
    public bool HostIpc { get; init; }

    public bool IsDefault => Equals(Default);

    public bool Equals(ContainerSecurity? other) =>
        other is not null && User == other.User && ReadOnlyRootFilesystem == other.ReadOnlyRootFilesystem
        && NoNewPrivileges == other.NoNewPrivileges && Privileged == other.Privileged && HostPid == other.HostPid && HostIpc == other.HostIpc
        && Groups.SequenceEqual(other.Groups) && CapabilitiesAdd.SequenceEqual(other.CapabilitiesAdd) && CapabilitiesDrop.SequenceEqual(other.CapabilitiesDrop);

    public override int GetHashCode() => HashCode.Combine(User, ReadOnlyRootFilesystem, NoNewPrivileges, Privileged, HostPid, HostIpc, Groups.Count);
}

public enum ContainerRunState { Created, Running, Exited, Unknown }

/// <summary>A snapshot of one container.</summary>
public sealed record ContainerInfo
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Image { get; init; }
    public string? ImageId { get; init; }
    /// <summary>
    /// The image as a pod's containerStatuses[].imageID shows it, with the engine's scheme: for docker
    /// <c>docker-pullable://repo@sha256:…</c> when the image has a repository digest, else <c>docker://sha256:…</c>.
    /// Null when the engine has no image (the process driver).
    /// </summary>
    public string? ImageRef { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public ContainerRunState State { get; init; }
    public int? ExitCode { get; init; }
    public bool OomKilled { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>The engine's error for a container that failed to start.</summary>
    public string? Error { get; init; }
}

public sealed record ExecResult(int ExitCode, string Stdout, string Stderr);

public sealed record LogOptions
{
    public bool Follow { get; init; }
    /// <summary>Only the last N lines (null: all).</summary>
    public int? Tail { get; init; }
    /// <summary>Only lines written at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }
}

public enum LogStream { Stdout, Stderr }

public sealed record LogLine(DateTimeOffset Timestamp, LogStream Stream, string Text);

/// <summary>Unsupported: the driver cannot do what was asked (a terminal on the process driver); the caller's request must change.</summary>
public enum RuntimeErrorKind { NotFound, ImageNotFound, Unavailable, Timeout, Conflict, Failed, Unsupported }

/// <summary>A driver failure, classified by kind.</summary>
public sealed class RuntimeException(RuntimeErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public RuntimeErrorKind Kind { get; } = kind;
}

/// <summary>The labels every container the agent creates carries, defined once.</summary>
public static class ContainerLabels
{
    public const string ManagedBy = "io.granary.managed-by";
    public const string ManagedByValue = "granary-agent";
    public const string PodUid = "io.granary.pod.uid";
    public const string PodNamespace = "io.granary.pod.namespace";
    public const string PodName = "io.granary.pod.name";
    public const string Container = "io.granary.container.name";
    /// <summary>How many times this container was started before (0 for the first); restartCount comes from it.</summary>
    public const string Attempt = "io.granary.container.attempt";
    /// <summary>A hash of the container's spec, so a changed image means a new container.</summary>
    public const string SpecHash = "io.granary.container.hash";
    /// <summary>The node this agent manages, so agents of several nodes can share one engine.</summary>
    public const string Node = "io.granary.node";
}
