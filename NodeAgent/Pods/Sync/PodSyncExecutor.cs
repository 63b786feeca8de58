using Granary.Model;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.Hosting;
using Granary.NodeAgent.Images;
using Granary.NodeAgent.Networking;
using Granary.NodeAgent.Networking.Dns;
using Granary.NodeAgent.Networking.Services;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Volumes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// Carries out a <see cref="PodPlan"/> against the engine: pulls, creates and starts, kills beside the loop,
/// removes, terminates; records the kubelet's events and logs on transitions. It decides nothing the planner could:
/// what it learns while acting (a failed pull, a configuration error, the id of a new instance) comes back as the
/// containers' observations for the status, and into the pod's record for the next plan.
/// The two places the pod's own preparation hooks in are <see cref="PreparePodAsync"/> (before any container) and
/// <see cref="BuildContainerSpecAsync"/> (what the engine is asked to create).
/// </summary>
public sealed partial class PodSyncExecutor(
    IContainerRuntime runtime,
    NodeIdentity node,
    IPodNetwork network,
    PodEvents events,
    PodRecords records,
    PodTerminator terminator,
    ContainerStopper stopper,
    LifecycleHooks hooks,
    TerminationMessages messages,
    VolumeManager volumes,
    IPodConfigLookup config,
    ServiceCatalog services,
    NodeDescriber describer,
    PodDnsFiles dns,
    IOptions<AgentSettings> settings,
    TimeProvider time,
    ILogger<PodSyncExecutor> logger)
{
    private readonly Lazy<IReadOnlyDictionary<string, Quantity>> _allocatable = new(() => describer.Allocatable());

    /// <summary>Raised when work beside the loop ended (a kill), so the loop looks again at once.</summary>
    public event Action? WorkEnded;

    /// <summary>
    /// Prepares what a pod's containers share before they are created: its address (kept from a running container
    /// of the pod, else a new one not in <paramref name="addressesInUse"/>, which this pass shares across pods), and
    /// its volumes (made, or brought up to date with their ConfigMaps and Secrets, on every pass). A driver that runs
    /// host processes refuses pods that ask for isolation it cannot give.
    /// </summary>
    public async Task<PodSandbox> PreparePodAsync(Pod pod, IReadOnlyList<ContainerInfo> instances, HashSet<string> addressesInUse, CancellationToken ct)
    {
        string podIp;
        lock (addressesInUse)
        {
            var existing = instances.Select(c => ContainerNaming.Label(c, ContainerNaming.PodIpLabel)).FirstOrDefault(a => a is not null);
            podIp = network.AssignAddress(pod.Metadata.Uid!, existing, addressesInUse) ?? node.Ip;
            addressesInUse.Add(podIp);
        }
        if (!runtime.IsolatesContainers && HostProcessLimits.Refusal(pod, runtime.Name) is { } refusal)
            return new PodSandbox(podIp, node.Ip, PodVolumes.None, refusal);

        var prepared = await volumes.PrepareAsync(pod, podIp, node.Ip, _allocatable.Value, ct);
        var record = records.For(pod.Metadata.Uid!);
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            var key = new ReportKey("volume/" + volume.Name, ReportTopic.Mount);
            if (prepared.Failed.FirstOrDefault(f => f.Name == volume.Name) is { } failed)
            {
                record.ReportOnce(key, failed.Message, () =>
                {
                    LogMountFailed(logger, Key(pod), failed.Name, failed.Message);
                    events.FailedMount(pod, failed.EventMessage);
                });
            }
            else
            {
                record.ClearReported(key);
            }
        }
        return new PodSandbox(podIp, node.Ip, prepared);
    }

    /// <summary>
    /// What the engine creates for attempt <paramref name="attempt"/> of a container: command and args with
    /// <c>$(VAR)</c> expanded, env (envFrom, env, the downward API, ConfigMaps and Secrets), the pod's volumes as bind
    /// mounts, the security context, limits, labels.
    /// </summary>
    /// <exception cref="ContainerConfigException">The container cannot be created as specified (CreateContainerConfigError).</exception>
    public async Task<ContainerSpec> BuildContainerSpecAsync(Pod pod, Container spec, int attempt, PodSandbox sandbox, CancellationToken ct)
    {
        var serviceVariables = ServiceEnvironment.For(pod, await services.ServicesForEnvironmentAsync(ct));
        var resolved = ContainerEnvironment.Resolve(pod, spec, sandbox.PodIp, sandbox.HostIp, config, _allocatable.Value, serviceVariables);
        var record = records.For(pod.Metadata.Uid!);
        foreach (var skipped in resolved.Skipped)
            record.ReportOnce(new ReportKey($"{skipped.Kind}/{skipped.Name}", ReportTopic.EnvNames), skipped.Message, () => events.InvalidEnvironmentVariableNames(pod, skipped.Message));

        IEnumerable<Granary.Model.VolumeMount> volumeMounts = spec.VolumeMounts ?? [];
        if (!runtime.IsolatesContainers)
        {
            // Host processes share the host's file system: the volumes HostProcessLimits lets through are not mounted.
            var leftOut = HostProcessLimits.LeftOutVolumes(pod);
            volumeMounts = volumeMounts.Where(m => !leftOut.Contains(m.Name));
        }
        var mounts = ContainerMounts.Plan(volumeMounts, sandbox.Volumes.Ready, resolved.Variables, spec.Name);
        foreach (var mount in mounts.Where(m => m.Source != sandbox.Volumes.Ready[m.Volume].HostPath))
        {
            if (mount.CreateSource)
                Directory.CreateDirectory(mount.Source);
            else if (!File.Exists(mount.Source) && !Directory.Exists(mount.Source))
                throw new ContainerConfigException($"failed to prepare subPath for volumeMount \"{mount.Volume}\" of container \"{spec.Name}\": {Path.GetRelativePath(sandbox.Volumes.Ready[mount.Volume].HostPath, mount.Source)} does not exist in the volume");
        }

        var imageUser = SecurityContexts.NeedsImageUser(pod, spec) ? await runtime.ImageUserAsync(spec.Image ?? "", ct) : null;
        var security = SecurityContexts.Resolve(pod, spec, settings.Value.AllowPrivileged, imageUser);
        var (dnsMounts, dnsPlan) = dns.Prepare(pod);
        foreach (var (reason, message) in dnsPlan.Warnings)
            record.ReportOnce(new ReportKey(reason, ReportTopic.Dns), message, () => events.DnsWarning(pod, reason, message));
        return ContainerSpecs.Build(node.Name, pod, spec, attempt, sandbox.PodIp, resolved.Variables,
            [.. messages.MountFor(pod, spec, attempt), .. dnsMounts, .. mounts.Select(m => new Runtime.VolumeMount(m.Source, m.ContainerPath, m.ReadOnly))], security);
    }

    /// <summary>Carries out the plan's actions in order; returns the plan with the containers' observations updated by what happened.</summary>
    /// <param name="stopping">Cancelled when the agent stops: work beside the loop (kills, termination) gives up then.</param>
    public async Task<PodPlan> ExecuteAsync(Pod pod, PodSandbox? sandbox, PodPlan plan, CancellationToken ct, CancellationToken stopping)
    {
        var record = records.For(pod.Metadata.Uid!);
        record.SetRestarts(plan.Restarts);
        // Names are unique across a pod's init and app containers.
        var observations = plan.InitContainers.Concat(plan.Containers).ToDictionary(o => o.Name, StringComparer.Ordinal);
        foreach (var action in plan.Actions)
        {
            switch (action)
            {
                case StartContainer start:
                    observations[start.Spec.Name] = await StartAsync(pod, sandbox!, start, record, observations[start.Spec.Name], ct);
                    break;
                case StartCreated created:
                    await runtime.StartAsync(created.Instance.Id, ct);
                    observations[created.Spec.Name] = observations[created.Spec.Name] with
                    {
                        Current = await runtime.InspectAsync(created.Instance.Id, ct) ?? created.Instance,
                    };
                    break;
                case KillContainer kill:
                    Kill(pod, kill, record, stopping);
                    break;
                case RemoveContainer remove:
                    await runtime.RemoveAsync(remove.Instance.Id, ct);
                    break;
                case TerminatePod terminate:
                    record.TryStartTermination(async () =>
                    {
                        if (await terminator.TerminateAsync(pod, terminate.Instances, stopping))
                            records.Deleted(pod.Metadata.Uid!);
                    });
                    break;
                case ReportEvent report:
                    Report(pod, report, record);
                    break;
            }
        }
        return plan with
        {
            Containers = [.. plan.Containers.Select(o => observations[o.Name])],
            InitContainers = [.. plan.InitContainers.Select(o => observations[o.Name])],
        };
    }

    /// <summary>Pulls when asked, then creates and starts one attempt; the observation shows the new instance or why there is none.</summary>
    private async Task<ContainerObservation> StartAsync(Pod pod, PodSandbox sandbox, StartContainer start, PodRecord record,
        ContainerObservation observation, CancellationToken ct)
    {
        var spec = start.Spec;
        var configKey = new ReportKey(spec.Name, ReportTopic.Config);
        if (sandbox.Refusal is { } refusal)
        {
            record.ReportOnce(configKey, refusal, () => events.Failed(pod, spec, refusal));
            return observation with { Waiting = new ContainerStateWaiting { Reason = PodReasons.CreateContainerConfigError, Message = refusal } };
        }
        // The kubelet starts no container of a pod whose volumes are not all set up: it stays ContainerCreating (FailedMount).
        if (sandbox.Volumes.Failed.Count > 0)
            return observation with { Waiting = new ContainerStateWaiting { Reason = PodReasons.ContainerCreating } };
        if (await EnsureImageAsync(pod, start, record, ct) is { } pullError)
            return observation with { Waiting = pullError };

        ContainerSpec create;
        try
        {
            create = await BuildContainerSpecAsync(pod, spec, start.Attempt, sandbox, ct);
        }
        catch (ContainerConfigException e)
        {
            record.ReportOnce(configKey, e.Message, () => events.Failed(pod, spec, e.Message));
            return observation with { Waiting = new ContainerStateWaiting { Reason = PodReasons.CreateContainerConfigError, Message = e.Message } };
        }
        record.ClearReported(configKey);

        var id = await runtime.CreateAsync(create, ct);
        events.Created(pod, spec);
        var running = false;
        try
        {
            await runtime.StartAsync(id, ct);
            events.Started(pod, spec);
            running = true;
        }
        catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.Failed)
        {
            // The engine refused to start it (bad command, …): the container shows as exited with the engine's error.
            LogStartFailed(logger, Key(pod), spec.Name, e.Message);
            events.Failed(pod, spec, e.Message);
        }
        LogStarted(logger, Key(pod), spec.Name, start.Attempt);
        var created = await runtime.InspectAsync(id, ct);
        if (running && created is not null && spec.Lifecycle?.PostStart is { } postStart)
            await PostStartAsync(pod, spec, postStart, created, record, ct);
        return observation with { Current = created ?? observation.Current, Ready = false, Started = false, Waiting = null };
    }

    /// <summary>
    /// The postStart hook, right after the start and before anything else of the pod, as the kubelet runs it; when it
    /// fails the container is killed (and restarted by policy, as after any exit).
    /// </summary>
    private async Task PostStartAsync(Pod pod, Container spec, LifecycleHandler postStart, ContainerInfo instance, PodRecord record, CancellationToken ct)
    {
        if (await hooks.RunAsync(postStart, pod, spec, instance, PostStartTimeout, ct) is not { } failure)
            return;
        LogPostStartFailed(logger, Key(pod), spec.Name, failure);
        events.FailedPostStartHook(pod, spec, failure);
        Kill(pod, new KillContainer(spec, instance, KillReason.PostStartHookFailed, "FailedPostStartHook", "its postStart hook failed"), record, ct);
    }

    /// <summary>How long a postStart hook may run (the kubelet waits for it without a bound; a hung hook must not hold the agent).</summary>
    private static readonly TimeSpan PostStartTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Pulls the image when the plan says so; the waiting state when the pull failed.</summary>
    private async Task<ContainerStateWaiting?> EnsureImageAsync(Pod pod, StartContainer start, PodRecord record, CancellationToken ct)
    {
        var spec = start.Spec;
        if (!start.Pull)
        {
            // Only when a container is about to be created, as the kubelet reports it.
            events.AlreadyPresent(pod, spec);
            return null;
        }
        var image = spec.Image ?? "";
        try
        {
            record.ClearReported(new ReportKey(spec.Name, ReportTopic.Image));
            events.Pulling(pod, spec);
            var began = time.GetTimestamp();
            await PullAsync(pod, image, record, ct);
            events.Pulled(pod, spec, time.GetElapsedTime(began));
            record.PullSucceeded(spec.Name);
            return null;
        }
        catch (RuntimeException e) when (e.Kind is RuntimeErrorKind.ImageNotFound or RuntimeErrorKind.Failed)
        {
            record.PullFailed(spec.Name, time.GetUtcNow(), e.Message);
            LogPullFailed(logger, Key(pod), image, e.Message);
            events.PullFailed(pod, spec, e.Message);
            return new ContainerStateWaiting { Reason = PodReasons.ErrImagePull, Message = e.Message };
        }
    }

    /// <summary>
    /// Pulls with the pod's imagePullSecrets: each credential the keyring matches for the image, most specific first,
    /// until one works (the kubelet's order); anonymously when none matches. Missing secrets are reported, not fatal.
    /// </summary>
    private async Task PullAsync(Pod pod, string image, PodRecord record, CancellationToken ct)
    {
        var ns = pod.Metadata.Namespace ?? "default";
        var secrets = new List<Secret>();
        var missing = new List<string>();
        foreach (var name in (pod.Spec.ImagePullSecrets ?? []).Select(r => r.Name).OfType<string>())
        {
            Secret? secret;
            try
            {
                secret = config.Secret(ns, name);
            }
            catch (ContainerConfigException)
            {
                secret = null;
            }
            if (secret is null)
                missing.Add(name);
            else
                secrets.Add(secret);
        }
        if (missing.Count > 0)
            record.ReportOnce(new ReportKey("", ReportTopic.PullSecrets), string.Join(",", missing), () => events.FailedToRetrieveImagePullSecret(pod, missing));

        var credentials = RegistryKeyring.From(secrets).Lookup(image);
        if (credentials.Count == 0)
        {
            await runtime.PullImageAsync(image, null, ct);
            return;
        }
        for (var i = 0; ; i++)
        {
            try
            {
                await runtime.PullImageAsync(image, credentials[i], ct);
                return;
            }
            catch (RuntimeException e) when (e.Kind is RuntimeErrorKind.ImageNotFound or RuntimeErrorKind.Failed && i < credentials.Count - 1)
            {
                LogPullWithCredentialFailed(logger, Key(pod), image, i + 1, e.Message);
            }
        }
    }

    /// <summary>The grace period runs beside the loop, so one slow container never holds up the other pods; a later pass sees it exited and restarts it by policy.</summary>
    private void Kill(Pod pod, KillContainer kill, PodRecord record, CancellationToken stopping)
    {
        var id = kill.Instance.Id;
        var started = record.TryStartKill(id, async () =>
        {
            try
            {
                await stopper.StopAsync(pod, kill.Spec, kill.Instance, time.GetUtcNow() + PodTerminator.GracePeriod(pod), message: null, stopping);
            }
            catch (Exception e) when (e is RuntimeException || (e is OperationCanceledException && stopping.IsCancellationRequested))
            {
                LogKillFailed(logger, Key(pod), kill.Spec.Name, e.Message);
            }
        }, () => WorkEnded?.Invoke());
        if (!started)
            return;
        LogKilling(logger, Key(pod), kill.Spec.Name, kill.Why);
        events.Killing(pod, kill.Spec, kill.Message);
    }

    private void Report(Pod pod, ReportEvent report, PodRecord record)
    {
        record.MarkReported(report.Key, report.Token);
        switch (report.Event)
        {
            case LastingEvent.NeverPull:
                events.NeverPull(pod, report.Spec!);
                break;
            case LastingEvent.PullBackOff:
                events.PullBackOff(pod, report.Spec!);
                break;
            case LastingEvent.CrashLoopBackOff:
                events.BackOff(pod, report.Spec!);
                break;
            case LastingEvent.DeadlineExceeded:
                events.DeadlineExceeded(pod, PodActionsPlanner.DeadlineMessage);
                break;
        }
    }

    public static string Key(Pod pod) => $"{pod.Metadata.Namespace}/{pod.Metadata.Name}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Pod}: started container {Container} (attempt {Attempt})")]
    private static partial void LogStarted(ILogger logger, string pod, string container, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Pod}: the engine could not start container {Container}: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string pod, string container, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Pod}: killing container {Container} because {Why}")]
    private static partial void LogKilling(ILogger logger, string pod, string container, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Pod}: stopping container {Container} failed: {Reason}")]
    private static partial void LogKillFailed(ILogger logger, string pod, string container, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Pod}: the postStart hook of container {Container} failed: {Reason}")]
    private static partial void LogPostStartFailed(ILogger logger, string pod, string container, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Pod}: volume {Volume} could not be set up: {Reason}")]
    private static partial void LogMountFailed(ILogger logger, string pod, string volume, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Pod}: pulling image {Image} with credential {Number} failed ({Reason}); trying the next")]
    private static partial void LogPullWithCredentialFailed(ILogger logger, string pod, string image, int number, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Pod}: pulling image {Image} failed: {Reason}")]
    private static partial void LogPullFailed(ILogger logger, string pod, string image, string reason);
}
