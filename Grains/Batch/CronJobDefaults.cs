using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Grains.Batch;

/// <summary>Kubernetes' batch/v1 CronJob defaults (SetDefaults_CronJob) and the pod spec defaults of its job template.</summary>
public static class CronJobDefaults
{
    public const int SuccessfulJobsHistoryLimit = 3;
    public const int FailedJobsHistoryLimit = 1;

    public static CronJob Apply(CronJob cj)
    {
        var template = cj.Spec.JobTemplate;
        if (template?.Spec?.Template is { } pods)
            template = template with { Spec = template.Spec with { Template = pods with { Spec = PodDefaults.Template(pods.Spec ?? new PodSpec()) } } };
        return cj with
        {
            Spec = cj.Spec with
            {
                ConcurrencyPolicy = string.IsNullOrEmpty(cj.Spec.ConcurrencyPolicy) ? CronJobSpec.Allow : cj.Spec.ConcurrencyPolicy,
                Suspend = cj.Spec.Suspend ?? false,
                SuccessfulJobsHistoryLimit = cj.Spec.SuccessfulJobsHistoryLimit ?? SuccessfulJobsHistoryLimit,
                FailedJobsHistoryLimit = cj.Spec.FailedJobsHistoryLimit ?? FailedJobsHistoryLimit,
                JobTemplate = template,
            },
        };
    }
}
