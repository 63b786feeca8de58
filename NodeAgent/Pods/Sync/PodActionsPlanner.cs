using System.Collections.Immutable;
using Granary.Model;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// The kubelet's computePodActions: from a pod as desired, its containers as observed, what the agent remembers of
/// it and the clock, the actions for one pass and what each container shows in the status. Pure and deterministic:
/// every decision about a pod's containers is made here and table-tested; <see cref="PodSyncExecutor"/> only
/// carries the actions out.
/// </summary>
public static class PodActionsPlanner
{
    /// <summary>
    /// The images whose presence the planner needs: those of containers that may be created this pass (none yet,
    /// or the latest exited). Asking the engine only for these keeps a running pod's pass free of image lookups.
    /// </summary>
    public static IReadOnlySet<string> ImagesToCheck(Pod pod, IReadOnlyList<ContainerInfo> containers)
    {
        if (pod.Metadata.DeletionTimestamp is not null)
            return ImmutableHashSet<string>.Empty;
        return (pod.Spec.Containers ?? [])
            .Where(spec => Latest(containers, spec.Name) is null or { State: ContainerRunState.Exited })
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
        foreach (var spec in pod.Spec.Containers ?? [])
            plan.Container(spec);
        return new PodPlan(plan.Actions.ToImmutable(), plan.Observations.ToImmutable(), plan.Restarts.ToImmutable(), ReportStatus: true);
    }

    private static ContainerInfo? Latest(IReadOnlyList<ContainerInfo> containers, string name) =>
        Instances(containers, name).FirstOrDefault();

    /// <summary>A container's instances, newest attempt first.</summary>
    private static List<ContainerInfo> Instances(IReadOnlyList<ContainerInfo> containers, string name) =>
        [.. containers.Where(c => ContainerNaming.Label(c, ContainerLabels.Container) == name).OrderByDescending(ContainerNaming.AttemptOf)];

    /// <summary>Whether an exited container is started again: always when its spec changed, else by the pod's restart policy.</summary>
    public static bool ShouldRestart(Pod pod, Container spec, ContainerInfo exited) =>
        ContainerNaming.Label(exited, ContainerLabels.SpecHash) != ContainerNaming.SpecHash(spec)
        || (pod.Spec.RestartPolicy ?? "Always") switch
        {
            "Always" => true,
            "OnFailure" => exited.ExitCode != 0,
            _ => false,
        };

    /// <summary>The plan being built for one pod.</summary>
    private sealed class Planning(PodSyncInput input)
    {
        private readonly Pod _pod = input.Pod;
        private readonly PodMemory _memory = input.Memory;
        private readonly DateTimeOffset _now = input.Now;
        // A pod that finished stays finished: its containers are not restarted.
        private readonly bool _finished = PodReasons.IsFinished((input.Memory.LastStatus ?? input.Pod.Status)?.Phase);

        public ImmutableList<PodAction>.Builder Actions { get; } = ImmutableList.CreateBuilder<PodAction>();
        public ImmutableList<ContainerObservation>.Builder Observations { get; } = ImmutableList.CreateBuilder<ContainerObservation>();
        public ImmutableDictionary<string, RestartBackoff>.Builder Restarts { get; } = input.Memory.Restarts.ToBuilder();

        public void Container(Container spec)
        {
            var instances = Instances(input.Containers, spec.Name);
            var current = instances.FirstOrDefault();
            var previous = instances.Skip(1).FirstOrDefault();
            var probe = current is null ? null : input.Probes.GetValueOrDefault(current.Id);
            ContainerStateWaiting? waiting = null;

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

            if (current is { State: ContainerRunState.Exited } && !_finished && ShouldRestart(_pod, spec, current))
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
            Observations.Add(new ContainerObservation(
                spec.Name,
                current,
                previous,
                waiting,
                Ready: live && probe is { Ready: true },
                Started: live && probe is { Started: true },
                Image: spec.Image ?? ""));
        }

        /// <summary>A running container is killed when its spec changed or it failed its liveness probe (once: not while a kill runs).</summary>
        private void Check(Container spec, ContainerInfo current, Probes.ContainerProbeStatus? probe)
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
            if (input.PresentImages.Contains(image) && spec.ImagePullPolicy != "Always")
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

        private void Report(Container spec, LastingEvent @event, ReportTopic topic, string token)
        {
            var key = new ReportKey(spec.Name, topic);
            if (_memory.Reported.GetValueOrDefault(key) != token)
                Actions.Add(new ReportEvent(spec, @event, key, token));
        }
    }
}
