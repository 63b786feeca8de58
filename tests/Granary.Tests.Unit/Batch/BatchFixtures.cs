using System.Collections.Immutable;
using Granary.Grains.Batch;
using Granary.Model;

namespace Granary.Tests.Unit.Batch;

/// <summary>Jobs and pods as the job controller's tests build them, on one fixed clock.</summary>
internal static class BatchFixtures
{
    public static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    public static Job Job(int? completions = 5, int? parallelism = 3, int backoffLimit = 6, string restartPolicy = "Never",
        string mode = JobSpec.NonIndexed, JobStatus? status = null) =>
        JobDefaults.GenerateSelector(JobDefaults.Apply(new Job
        {
            Metadata = new ObjectMeta { Name = "pi", Namespace = "default", Uid = "job-uid", CreationTimestamp = Now.AddMinutes(-10) },
            Spec = new JobSpec
            {
                Completions = completions,
                Parallelism = parallelism,
                BackoffLimit = backoffLimit,
                CompletionMode = mode,
                Template = new PodTemplateSpec
                {
                    Spec = new PodSpec { RestartPolicy = restartPolicy, Containers = [new Container { Name = "pi", Image = "local/busybox:1" }] },
                },
            },
            Status = status ?? new JobStatus { StartTime = Now.AddMinutes(-5) },
        }));

    /// <summary>A pod of the job; <paramref name="finishedAgo"/> sets its container's finish time for terminal phases.</summary>
    public static Pod Pod(string uid, string phase = "Running", bool tracked = true, int? index = null, int finishedAgo = 60,
        int exitCode = 1, bool deleting = false, bool ready = false, int restarts = 0, int ageSeconds = 120)
    {
        var terminal = phase is "Succeeded" or "Failed";
        return new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = $"pi-{uid}",
                Namespace = "default",
                Uid = uid,
                CreationTimestamp = Now.AddSeconds(-ageSeconds),
                DeletionTimestamp = deleting ? Now.AddSeconds(-1) : null,
                Finalizers = tracked ? [BatchLabels.TrackingFinalizer] : null,
                Annotations = index is { } i ? ImmutableSortedDictionary<string, string>.Empty.Add(BatchLabels.CompletionIndex, i.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null,
                OwnerReferences = [new OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = "pi", Uid = "job-uid", Controller = true }],
            },
            Status = new PodStatus
            {
                Phase = phase,
                Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
                ContainerStatuses =
                [
                    new ContainerStatus
                    {
                        Name = "pi",
                        RestartCount = restarts,
                        State = terminal
                            ? new ContainerState { Terminated = new ContainerStateTerminated { ExitCode = phase == "Succeeded" ? 0 : exitCode, FinishedAt = Now.AddSeconds(-finishedAgo) } }
                            : new ContainerState { Running = new ContainerStateRunning { StartedAt = Now.AddSeconds(-ageSeconds) } },
                    },
                ],
            },
        };
    }

    public static Pod Untracked(Pod pod) => pod with { Metadata = pod.Metadata with { Finalizers = null } };

    public static ImmutableSortedDictionary<string, string> Labels(params (string Key, string Value)[] pairs) =>
        pairs.ToImmutableSortedDictionary(p => p.Key, p => p.Value);
}
