using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Probes;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// The kubelet's computePodActions: from a pod as desired, its containers as observed, what the agent remembers of
/// it and the clock, the actions for one pass and what each container shows in the status. Pure and deterministic:
/// every decision about a pod's containers is made here and table-tested; <see cref="PodSyncExecutor"/> only
/// carries the actions out.
///
/// Init containers run first, one at a time and in order, each to completion; a failed one is restarted by the
/// pod's restartPolicy (with the same back-off), or fails the pod under Never. A sidecar (an init container with
/// restartPolicy Always) counts as done for that order once it runs and its startup probe passed; it is kept running
/// and restarted like an app container. App containers start once every init container is done.
/// </summary>
public static class PodActionsPlanner
{
    public const string DeadlineMessage = "Pod was active on the node longer than the specified deadline";
    private const string Always = "Always";

    /// <summary>
    /// The images whose presence the planner needs: those of containers that may be created this pass (none yet,
    /// or the latest exited) and are not pulled anyway. Asking only for these keeps a running pod's pass free of image lookups.
    /// </summary>
    public static IReadOnlySet<string> ImagesToCheck(Pod pod, IReadOnlyList<ContainerInfo> containers)
    {
        if (pod.Metadata.DeletionTimestamp is not null)
            return ImmutableHashSet<string>.Empty;
        return (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? [])
            .Where(spec => spec.ImagePullPolicy != Always && Latest(containers, spec.Name) is null or { State: ContainerRunState.Exited })
            .Select(spec => spec.Image ?? "")
            .ToImmutableHashSet(StringComparer.Ordinal);
    }

    public static PodPlan Plan(PodSyncInput input)
    {
        var pod = input.Pod;
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // Stopping takes up to the grace period: it runs beside the loop, once.
            ImmutableList<PodAction> terminate = input.Memory.Terminating ? [] : [new TerminatePod([.. input.Containers])];
            return new PodPlan(terminate, [], input.Memory.Restarts, ReportStatus: false);
        }

        var plan = new Planning(input);
        var initialized = plan.InitContainers();
        foreach (var spec in pod.Spec.Containers ?? [])
        {
            if (initialized)
                plan.Container(spec, pod.Spec.RestartPolicy ?? Always);
            else
                plan.Initializing(spec);
        }
        return new PodPlan(plan.Actions.ToImmutable(), plan.Observations.ToImmutable(), plan.Restarts.ToImmutable(), ReportStatus: true,
            plan.DeadlineExceeded ? new PodFailure(PodReasons.DeadlineExceeded, DeadlineMessage) : null)
        {
            InitContainers = plan.InitObservations.ToImmutable(),
            Initialized = initialized,
        };
    }

    /// <summary>The kubelet's activeDeadlineSeconds: the pod has been active on the node (since status.startTime) for that long.</summary>
    public static bool IsPastDeadline(Pod pod, DateTimeOffset? startTime, DateTimeOffset now) =>
        pod.Spec.ActiveDeadlineSeconds is { } seconds && startTime is { } started && now - started >= TimeSpan.FromSeconds(seconds);

    /// <summary>An init container with restartPolicy Always: a sidecar that runs beside the app containers.</summary>
    public static bool IsSidecar(Container spec) => spec.RestartPolicy == Always;

    /// <summary>Whether an exited container is started again: always when its spec changed, else by <paramref name="restartPolicy"/>.</summary>
    public static bool ShouldRestart(string restartPolicy, Container spec, ContainerInfo exited) =>
        ContainerNaming.Label(exited, ContainerLabels.SpecHash) != ContainerNaming.SpecHash(spec)
        || restartPolicy switch
        {
            Always => true,
            "OnFailure" => exited.ExitCode != 0,
            _ => false,
        };

    private static ContainerInfo? Latest(IReadOnlyList<ContainerInfo> containers, string name) =>
        Instances(containers, name).FirstOrDefault();

    /// <summary>A container's instances, newest attempt first.</summary>
    private static List<ContainerInfo> Instances(IReadOnlyList<ContainerInfo> containers, string name) =>
        [.. containers.Where(c => ContainerNaming.Label(c, ContainerLabels.Container) == name).OrderByDescending(ContainerNaming.AttemptOf)];

    /// <summary>The plan being built for one pod.</summary>
    private sealed class Planning(PodSyncInput input)
    {
        private static readonly ContainerStateWaiting PodInitializing = new() { Reason = PodReasons.PodInitializing };
        private readonly Pod _pod = input.Pod;
        private readonly PodMemory _memory = input.Memory;
        private readonly DateTimeOffset _now = input.Now;
        private readonly PodStatus? _lastStatus = input.Memory.LastStatus ?? input.Pod.Status;
        // A pod that finished stays finished: its containers are not restarted, and what still runs (sidecars) is stopped.
        private bool Finished => PodReasons.IsFinished(_lastStatus?.Phase);

        public ImmutableList<PodAction>.Builder Actions { get; } = ImmutableList.CreateBuilder<PodAction>();
        public ImmutableList<ContainerObservation>.Builder Observations { get; } = ImmutableList.CreateBuilder<ContainerObservation>();
        public ImmutableList<ContainerObservation>.Builder InitObservations { get; } = ImmutableList.CreateBuilder<ContainerObservation>();
        public ImmutableDictionary<string, RestartBackoff>.Builder Restarts { get; } = input.Memory.Restarts.ToBuilder();

        /// <summary>Past activeDeadlineSeconds: the pod fails, its containers are stopped and none starts again.</summary>
        public bool DeadlineExceeded { get; } = IsPastDeadline(input.Pod, (input.Memory.LastStatus ?? input.Pod.Status)?.StartTime, input.Now);

        /// <summary>
        /// Plans the init containers in order; true when the pod is initialized (every regular one completed, every
        /// sidecar started), so the app containers may run. Once initialized, a pod stays so (the kubelet's
        /// Initialized condition): completed init containers are not run again.
        /// </summary>
        public bool InitContainers()
        {
            var wasInitialized = _lastStatus?.Conditions?.Any(c => c.Type == PodReasons.Initialized && c.Status == "True") == true;
            var blocked = false;
            foreach (var spec in _pod.Spec.InitContainers ?? [])
            {
                var instances = Instances(input.Containers, spec.Name);
                var current = instances.FirstOrDefault();
                if (IsSidecar(spec))
                {
                    if (blocked)
                    {
                        InitObservations.Add(Observe(spec, instances, PodInitializing));
                        continue;
                    }
                    var observation = Container(spec, Always, InitObservations);
                    var started = observation is { Started: true, Current.State: ContainerRunState.Running };
                    blocked = !wasInitialized && !started;
                    continue;
                }
                if (wasInitialized || current is { State: ContainerRunState.Exited, ExitCode: 0 })
                {
                    InitObservations.Add(Observe(spec, instances, waiting: null));
                    continue;
                }
                if (blocked)
                {
                    InitObservations.Add(Observe(spec, instances, PodInitializing));
                    continue;
                }
                // The first init container not done: it runs (or is restarted by the pod's policy) and holds the rest.
                var restartPolicy = (_pod.Spec.RestartPolicy ?? Always) == "Never" ? "Never" : "OnFailure";
                Container(spec, restartPolicy, InitObservations);
                blocked = true;
            }
            return wasInitialized || !blocked;
        }

        /// <summary>An app container while the init containers run: nothing of it exists yet.</summary>
        public void Initializing(Container spec) => Observations.Add(Observe(spec, Instances(input.Containers, spec.Name), PodInitializing));

        private static ContainerObservation Observe(Container spec, List<ContainerInfo> instances, ContainerStateWaiting? waiting) =>
            new(spec.Name, instances.FirstOrDefault(), instances.Skip(1).FirstOrDefault(),
                instances.Count == 0 ? waiting : null, Ready: false, Started: false, spec.Image ?? "");

        public ContainerObservation Container(Container spec, string restartPolicy) => Container(spec, restartPolicy, Observations);

        private ContainerObservation Container(Container spec, string restartPolicy, ImmutableList<ContainerObservation>.Builder into)
        {
            var instances = Instances(input.Containers, spec.Name);
            var current = instances.FirstOrDefault();
            var previous = instances.Skip(1).FirstOrDefault();
            var probe = current is null ? null : input.Probes.GetValueOrDefault(current.Id);
            ContainerStateWaiting? waiting = null;

            if (DeadlineExceeded || Finished)
            {
                if (current is { State: ContainerRunState.Running } && !_memory.Killing.Contains(current.Id))
                {
                    Actions.Add(DeadlineExceeded
                        ? new KillContainer(spec, current, KillReason.DeadlineExceeded, $"Stopping container {spec.Name}", "the pod ran past its activeDeadlineSeconds")
                        : new KillContainer(spec, current, KillReason.PodFinished, $"Stopping container {spec.Name}", "the pod has finished"));
                }
                if (DeadlineExceeded)
                    ReportPod(LastingEvent.DeadlineExceeded, ReportTopic.Deadline);
                var stopped = new ContainerObservation(spec.Name, current, previous, Waiting: null, Ready: false, Started: false, spec.Image ?? "");
                into.Add(stopped);
                return stopped;
            }

            switch (current?.State)
            {
                case null:
                    waiting = Create(spec, attempt: 0, replacing: null);
                    break;
                case ContainerRunState.Running:
                    Check(spec, current, probe);
                    break;
                case ContainerRunState.Created:
                    Actions.Add(new StartCreated(spec, current));
                    break;
            }

            if (current is { State: ContainerRunState.Exited } && ShouldRestart(restartPolicy, spec, current))
            {
                var backoff = RestartBackoff.After(Restarts.TryGetValue(spec.Name, out var last) ? last : null, current.FinishedAt ?? _now, current.StartedAt);
                Restarts[spec.Name] = backoff;
                if (backoff.Remaining(_now) is not null)
                {
                    Report(spec, LastingEvent.CrashLoopBackOff, ReportTopic.Backoff, current.Id);
                    waiting = new ContainerStateWaiting
                    {
                        Reason = PodReasons.CrashLoopBackOff,
                        Message = RestartBackoff.Message(backoff.Delay, spec.Name, _pod.Metadata.Name!, _pod.Metadata.Namespace, _pod.Metadata.Uid!),
                    };
                }
                else
                {
                    waiting = Create(spec, ContainerNaming.AttemptOf(current) + 1, replacing: current);
                    // Keep the instance that just ended (lastState, logs --previous); older ones go.
                    foreach (var old in instances.Skip(1))
                        Actions.Add(new RemoveContainer(old));
                    previous = current;
                }
            }

            var live = current is { State: ContainerRunState.Running };
            var observation = new ContainerObservation(
                spec.Name,
                current,
                previous,
                waiting,
                Ready: live && probe is { Ready: true },
                Started: live && probe is { Started: true },
                Image: spec.Image ?? "");
            into.Add(observation);
            return observation;
        }

        /// <summary>A running container is killed when its spec changed or it failed its liveness probe (once: not while a kill runs).</summary>
        private void Check(Container spec, ContainerInfo current, ContainerProbeStatus? probe)
        {
            var changed = ContainerNaming.Label(current, ContainerLabels.SpecHash) != ContainerNaming.SpecHash(spec);
            var live = probe?.Live ?? true;
            if ((!changed && live) || _memory.Killing.Contains(current.Id))
                return;
            Actions.Add(changed
                ? new KillContainer(spec, current, KillReason.SpecChanged,
                    $"Container {spec.Name} definition changed, will be restarted", "its spec changed")
                : new KillContainer(spec, current, KillReason.LivenessFailed,
                    $"Container {spec.Name} failed liveness probe, will be restarted", $"it failed its liveness probe: {probe?.LastFailure}"));
        }

        /// <summary>
        /// Plans a new instance when its image is there or may be pulled; otherwise the waiting state to show.
        /// imagePullPolicy Always pulls for every new instance even when the image is present, as the kubelet does:
        /// only the pod's own credentials may open a private image, never a copy another pod pulled.
        /// </summary>
        private ContainerStateWaiting? Create(Container spec, int attempt, ContainerInfo? replacing)
        {
            var image = spec.Image ?? "";
            if (spec.ImagePullPolicy != Always && input.PresentImages.Contains(image))
            {
                Actions.Add(new StartContainer(spec, attempt, Pull: false, replacing));
                return null;
            }
            if (spec.ImagePullPolicy == "Never")
            {
                Report(spec, LastingEvent.NeverPull, ReportTopic.Image, "never");
                return new ContainerStateWaiting
                {
                    Reason = PodReasons.ErrImageNeverPull,
                    Message = $"Container image \"{image}\" is not present with pull policy of Never",
                };
            }
            if (_memory.PullFailures.GetValueOrDefault(spec.Name) is { } failure && failure.Backoff.Remaining(_now) is not null)
            {
                Report(spec, LastingEvent.PullBackOff, ReportTopic.Image, "backoff");
                return new ContainerStateWaiting
                {
                    Reason = PodReasons.ImagePullBackOff,
                    Message = $"Back-off pulling image \"{image}\": {failure.Message}",
                };
            }
            Actions.Add(new StartContainer(spec, attempt, Pull: true, replacing));
            return null;
        }

        /// <summary>A pod-level lasting state, reported once (however many containers the pod has).</summary>
        private void ReportPod(LastingEvent @event, ReportTopic topic)
        {
            var key = new ReportKey("", topic);
            if (!_memory.Reported.ContainsKey(key) && !Actions.OfType<ReportEvent>().Any(r => r.Key == key))
                Actions.Add(new ReportEvent(null, @event, key, topic.ToString()));
        }

        private void Report(Container spec, LastingEvent @event, ReportTopic topic, string token)
        {
            var key = new ReportKey(spec.Name, topic);
            if (_memory.Reported.GetValueOrDefault(key) != token)
                Actions.Add(new ReportEvent(spec, @event, key, token));
        }
    }
}
