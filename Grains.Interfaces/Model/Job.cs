using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>A batch/v1 Job: pods run to completion, with every JobSpec and JobStatus field of Kubernetes 1.32.</summary>
[GenerateSerializer, Immutable, Alias("granary.Job")]
public sealed record Job : IResource<Job>
{
    public static ResourceKind ResourceKind => ResourceKinds.Job;

    [Id(0)] public string ApiVersion { get; init; } = "batch/v1";
    [Id(1)] public string Kind { get; init; } = "Job";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public JobSpec Spec { get; init; } = new();
    [Id(4)] public JobStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

[GenerateSerializer, Immutable, Alias("granary.JobSpec")]
public sealed record JobSpec
{
    public const string NonIndexed = "NonIndexed";
    public const string Indexed = "Indexed";

    [Id(0)] public int? Parallelism { get; init; }
    [Id(1)] public int? Completions { get; init; }
    [Id(2)] public long? ActiveDeadlineSeconds { get; init; }
    [Id(3)] public PodFailurePolicy? PodFailurePolicy { get; init; }
    [Id(4)] public SuccessPolicy? SuccessPolicy { get; init; }
    [Id(5)] public int? BackoffLimit { get; init; }
    [Id(6)] public int? BackoffLimitPerIndex { get; init; }
    [Id(7)] public int? MaxFailedIndexes { get; init; }
    [Id(8)] public LabelSelectorSpec? Selector { get; init; }
    [Id(9)] public bool? ManualSelector { get; init; }
    [Id(10)] public PodTemplateSpec? Template { get; init; }
    [Id(11)] public int? TtlSecondsAfterFinished { get; init; }
    [Id(12)] public string? CompletionMode { get; init; }
    [Id(13)] public bool? Suspend { get; init; }
    [Id(14)] public string? PodReplacementPolicy { get; init; }
    [Id(15)] public string? ManagedBy { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PodFailurePolicy")]
public sealed record PodFailurePolicy
{
    [Id(0)] public ImmutableList<PodFailurePolicyRule> Rules { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("granary.PodFailurePolicyRule")]
public sealed record PodFailurePolicyRule
{
    public const string FailJob = "FailJob";
    public const string FailIndex = "FailIndex";
    public const string Ignore = "Ignore";
    public const string Count = "Count";

    [Id(0)] public string Action { get; init; } = "";
    [Id(1)] public PodFailurePolicyOnExitCodesRequirement? OnExitCodes { get; init; }
    [Id(2)] public ImmutableList<PodFailurePolicyOnPodConditionsPattern>? OnPodConditions { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.PodFailurePolicyOnExitCodesRequirement")]
public sealed record PodFailurePolicyOnExitCodesRequirement
{
    public const string In = "In";
    public const string NotIn = "NotIn";

    [Id(0)] public string? ContainerName { get; init; }
    [Id(1)] public string Operator { get; init; } = "";
    [Id(2)] public ImmutableList<int> Values { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("granary.PodFailurePolicyOnPodConditionsPattern")]
public sealed record PodFailurePolicyOnPodConditionsPattern
{
    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string? Status { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.SuccessPolicy")]
public sealed record SuccessPolicy
{
    [Id(0)] public ImmutableList<SuccessPolicyRule> Rules { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("granary.SuccessPolicyRule")]
public sealed record SuccessPolicyRule
{
    [Id(0)] public string? SucceededIndexes { get; init; }
    [Id(1)] public int? SucceededCount { get; init; }
}

/// <summary>
/// JobStatus. active, succeeded and failed are omitted from JSON when zero (Go's omitempty), so they are nullable here
/// and the controller writes null for zero; ready and terminating are pointers in Go and are written as 0.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.JobStatus")]
public sealed record JobStatus
{
    [Id(0)] public ImmutableList<JobCondition>? Conditions { get; init; }
    [Id(1)] public DateTimeOffset? StartTime { get; init; }
    [Id(2)] public DateTimeOffset? CompletionTime { get; init; }
    [Id(3)] public int? Active { get; init; }
    [Id(4)] public int? Succeeded { get; init; }
    [Id(5)] public int? Failed { get; init; }
    [Id(6)] public int? Terminating { get; init; }
    [Id(7)] public string? CompletedIndexes { get; init; }
    [Id(8)] public string? FailedIndexes { get; init; }
    [Id(9)] public UncountedTerminatedPods? UncountedTerminatedPods { get; init; }
    [Id(10)] public int? Ready { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.JobCondition")]
public sealed record JobCondition
{
    public const string Complete = "Complete";
    public const string Failed = "Failed";
    public const string Suspended = "Suspended";
    public const string FailureTarget = "FailureTarget";
    public const string SuccessCriteriaMet = "SuccessCriteriaMet";

    [Id(0)] public string Type { get; init; } = "";
    [Id(1)] public string Status { get; init; } = "";
    [Id(2)] public DateTimeOffset? LastProbeTime { get; init; }
    [Id(3)] public DateTimeOffset? LastTransitionTime { get; init; }
    [Id(4)] public string? Reason { get; init; }
    [Id(5)] public string? Message { get; init; }
}

/// <summary>Pods that finished but are not yet in the counts: their finalizers are being removed.</summary>
[GenerateSerializer, Immutable, Alias("granary.UncountedTerminatedPods")]
public sealed record UncountedTerminatedPods
{
    [Id(0)] public ImmutableList<string>? Succeeded { get; init; }
    [Id(1)] public ImmutableList<string>? Failed { get; init; }
}

/// <summary>The Job a CronJob makes at each scheduled time.</summary>
[GenerateSerializer, Immutable, Alias("granary.JobTemplateSpec")]
public sealed record JobTemplateSpec
{
    [Id(0)] public ObjectMeta? Metadata { get; init; }
    [Id(1)] public JobSpec? Spec { get; init; }
}
