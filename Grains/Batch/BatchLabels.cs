namespace Granary.Grains.Batch;

/// <summary>The label, annotation and finalizer names kube's job and cronjob controllers put on what they make.</summary>
public static class BatchLabels
{
    public const string ControllerUid = "batch.kubernetes.io/controller-uid";
    public const string JobName = "batch.kubernetes.io/job-name";
    public const string LegacyControllerUid = "controller-uid";
    public const string LegacyJobName = "job-name";

    /// <summary>On Indexed jobs' pods, as annotation and label; JOB_COMPLETION_INDEX reads the annotation.</summary>
    public const string CompletionIndex = "batch.kubernetes.io/job-completion-index";

    /// <summary>Kept on a job's pods until the controller has counted them, so a pod deleted early is still counted.</summary>
    public const string TrackingFinalizer = "batch.kubernetes.io/job-tracking";

    public const string CronJobScheduledTimestamp = "batch.kubernetes.io/cronjob-scheduled-timestamp";

    /// <summary>What <c>kubectl create job --from=cronjob/x</c> writes on the Job it makes.</summary>
    public const string CronJobInstantiate = "cronjob.kubernetes.io/instantiate";

    public const string CompletionIndexEnv = "JOB_COMPLETION_INDEX";
}
