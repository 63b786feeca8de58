using System.Collections.Immutable;
using Granary.Errors;
using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Grains.Batch;

/// <summary>Kubernetes' batch/v1 CronJob rules (ValidateCronJobCreate/Update), every problem at once with its field path.</summary>
public static class CronJobValidation
{
    /// <summary>The Job's name adds "-" and up to 11 digits of the scheduled minute; pods add more, so kube caps it at 52.</summary>
    public const int MaxNameLength = 52;

    public const string TimeZoneInSchedule = "cannot use TZ or CRON_TZ in schedule, use timeZone field instead";
    public static readonly ImmutableArray<string> ConcurrencyPolicies = [CronJobSpec.Allow, CronJobSpec.Forbid, CronJobSpec.Replace];

    public static ImmutableList<FieldError> Validate(CronJob cj) =>
    [
        .. MetadataValidation.Validate(cj.Metadata, namespaced: true),
        .. Name(cj.Metadata.Name),
        .. Spec(cj.Spec),
    ];

    public static ImmutableList<FieldError> ValidateUpdate(CronJob old, CronJob updated) =>
    [
        .. MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata),
        .. Validate(updated),
    ];

    private static IEnumerable<FieldError> Name(string? name)
    {
        if (name is { Length: > MaxNameLength })
            yield return FieldError.Invalid("metadata.name", name, ValidationMessages.MaxLength(MaxNameLength));
    }

    private static IEnumerable<FieldError> Spec(CronJobSpec spec)
    {
        var zone = TimeZoneInfo.Utc;
        if (spec.TimeZone is { } name)
        {
            if (name.Length == 0)
                yield return FieldError.Invalid("spec.timeZone", name, "timeZone must be nil or non-empty string");
            else if (name.Equals("Local", StringComparison.OrdinalIgnoreCase))
                yield return FieldError.Invalid("spec.timeZone", name, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones");
            else if (CronSchedule.TryFindZone(name) is { } found)
                zone = found;
            else
                yield return FieldError.Invalid("spec.timeZone", name, $"unknown time zone {name}");
        }
        if (string.IsNullOrEmpty(spec.Schedule))
        {
            yield return FieldError.Required("spec.schedule");
        }
        else
        {
            if (CronSchedule.TryParse(spec.Schedule, zone, out var error) is null && !spec.Schedule.Contains("TZ", StringComparison.Ordinal))
                yield return FieldError.Invalid("spec.schedule", spec.Schedule, error!);
            if (spec.Schedule.Contains("TZ", StringComparison.Ordinal))
                yield return FieldError.Invalid("spec.schedule", spec.Schedule, TimeZoneInSchedule);
        }
        if (spec.ConcurrencyPolicy is { } policy && !ConcurrencyPolicies.Contains(policy))
            yield return FieldError.Unsupported("spec.concurrencyPolicy", policy, ConcurrencyPolicies);
        foreach (var error in NumberValidation.NonNegative(spec.StartingDeadlineSeconds, "spec.startingDeadlineSeconds"))
            yield return error;
        foreach (var error in NumberValidation.NonNegative(spec.SuccessfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit"))
            yield return error;
        foreach (var error in NumberValidation.NonNegative(spec.FailedJobsHistoryLimit, "spec.failedJobsHistoryLimit"))
            yield return error;
        if (spec.JobTemplate?.Spec is not { } job)
        {
            yield return FieldError.Required("spec.jobTemplate.spec");
            yield break;
        }
        foreach (var error in SyntaxValidation.Labels(spec.JobTemplate.Metadata?.Labels, "spec.jobTemplate.metadata.labels"))
            yield return error;
        foreach (var error in JobValidation.Spec(job, "spec.jobTemplate.spec", requireSelector: false))
            yield return error;
    }
}
