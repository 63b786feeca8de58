using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>A batch/v1 CronJob: a Job made at each time of a cron schedule (every field of Kubernetes 1.32).</summary>
[GenerateSerializer, Immutable, Alias("granary.CronJob")]
public sealed record CronJob : IResource<CronJob>
{
    public static ResourceKind ResourceKind => ResourceKinds.CronJob;

    [Id(0)] public string ApiVersion { get; init; } = "batch/v1";
    [Id(1)] public string Kind { get; init; } = "CronJob";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public CronJobSpec Spec { get; init; } = new();
    [Id(4)] public CronJobStatus? Status { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

[GenerateSerializer, Immutable, Alias("granary.CronJobSpec")]
public sealed record CronJobSpec
{
    public const string Allow = "Allow";
    public const string Forbid = "Forbid";
    public const string Replace = "Replace";

    [Id(0)] public string Schedule { get; init; } = "";
    [Id(1)] public string? TimeZone { get; init; }
    [Id(2)] public long? StartingDeadlineSeconds { get; init; }
    [Id(3)] public string? ConcurrencyPolicy { get; init; }
    [Id(4)] public bool? Suspend { get; init; }
    [Id(5)] public JobTemplateSpec? JobTemplate { get; init; }
    [Id(6)] public int? SuccessfulJobsHistoryLimit { get; init; }
    [Id(7)] public int? FailedJobsHistoryLimit { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.CronJobStatus")]
public sealed record CronJobStatus
{
    [Id(0)] public ImmutableList<ObjectReference>? Active { get; init; }
    [Id(1)] public DateTimeOffset? LastScheduleTime { get; init; }
    [Id(2)] public DateTimeOffset? LastSuccessfulTime { get; init; }
}
