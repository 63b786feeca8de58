using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Batch;

/// <summary>The reasons and messages kube's job controller writes on Job conditions and events.</summary>
public static class JobConditions
{
    public const string BackoffLimitExceeded = "BackoffLimitExceeded";
    public const string DeadlineExceeded = "DeadlineExceeded";
    public const string PodFailurePolicy = "PodFailurePolicy";
    public const string CompletionsReached = "CompletionsReached";
    public const string JobSuspended = "JobSuspended";
    public const string JobResumed = "JobResumed";
    public const string BackoffLimitMessage = "Job has reached the specified backoff limit";
    public const string DeadlineMessage = "Job was active longer than specified deadline";
    public const string CompletionsMessage = "Reached expected number of succeeded pods";

    public static JobCondition? Find(JobStatus? status, string type) => status?.Conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(JobStatus? status, string type) => Find(status, type)?.Status == "True";

    /// <summary>Complete or Failed: the Job will do nothing more.</summary>
    public static bool IsFinished(JobStatus? status) => IsTrue(status, JobCondition.Complete) || IsTrue(status, JobCondition.Failed);

    /// <summary>
    /// The conditions with <paramref name="type"/> set: an existing condition keeps its transition time unless its
    /// status changes, as kube's ensureJobConditionStatus.
    /// </summary>
    public static ImmutableList<JobCondition> With(ImmutableList<JobCondition>? conditions, string type, string status, string reason,
        string message, DateTimeOffset now)
    {
        var list = conditions ?? [];
        var existing = list.FirstOrDefault(c => c.Type == type);
        if (existing is null)
            return list.Add(new JobCondition { Type = type, Status = status, Reason = reason, Message = message, LastProbeTime = now, LastTransitionTime = now });
        if (existing.Status == status && existing.Reason == reason && existing.Message == message)
            return list;
        return list.Replace(existing, existing with
        {
            Status = status,
            Reason = reason,
            Message = message,
            LastProbeTime = now,
            LastTransitionTime = existing.Status == status ? existing.LastTransitionTime : now,
        });
    }
}
