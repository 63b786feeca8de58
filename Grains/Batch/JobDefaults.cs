using System.Collections.Immutable;
using Granary.Grains.Validation;
using Granary.Model;

namespace Granary.Grains.Batch;

/// <summary>
/// Kubernetes' batch/v1 Job defaults (SetDefaults_Job), filled only where unset, and the selector kube's job strategy
/// generates at create once the Job has its uid.
/// </summary>
public static class JobDefaults
{
    public const int DefaultBackoffLimit = 6;
    public const string TerminatingOrFailed = "TerminatingOrFailed";
    public const string Failed = "Failed";

    public static Job Apply(Job job)
    {
        var spec = job.Spec;
        var (completions, parallelism) = spec is { Completions: null, Parallelism: null } ? (1, 1) : (spec.Completions, spec.Parallelism ?? 1);
        return job with
        {
            Spec = spec with
            {
                Completions = completions,
                Parallelism = parallelism,
                BackoffLimit = spec.BackoffLimit ?? (spec.BackoffLimitPerIndex is null ? DefaultBackoffLimit : int.MaxValue),
                CompletionMode = string.IsNullOrEmpty(spec.CompletionMode) ? JobSpec.NonIndexed : spec.CompletionMode,
                Suspend = spec.Suspend ?? false,
                ManualSelector = spec.ManualSelector ?? false,
                PodReplacementPolicy = string.IsNullOrEmpty(spec.PodReplacementPolicy)
                    ? (spec.PodFailurePolicy is null ? TerminatingOrFailed : Failed)
                    : spec.PodReplacementPolicy,
                PodFailurePolicy = spec.PodFailurePolicy is { } policy ? policy with { Rules = [.. policy.Rules.Select(Rule)] } : null,
                Template = spec.Template is { } template ? template with { Spec = PodDefaults.Template(template.Spec ?? new PodSpec()) } : null,
            },
        };
    }

    /// <summary>
    /// Kube's generateSelector: unless the selector is manual, the template gets the job-name and controller-uid labels
    /// (new and legacy names; a label the user set is kept and checked by validation) and the selector matches the
    /// uid. A Job without labels takes its template's.
    /// </summary>
    public static Job GenerateSelector(Job job)
    {
        var spec = job.Spec;
        if (spec.ManualSelector != true && spec.Template is { } template)
        {
            var labels = template.Metadata?.Labels ?? ImmutableSortedDictionary<string, string>.Empty;
            foreach (var key in new[] { BatchLabels.LegacyJobName, BatchLabels.JobName })
                labels = labels.ContainsKey(key) ? labels : labels.Add(key, job.Metadata.Name ?? "");
            foreach (var key in new[] { BatchLabels.LegacyControllerUid, BatchLabels.ControllerUid })
                labels = labels.ContainsKey(key) ? labels : labels.Add(key, job.Metadata.Uid ?? "");
            var selector = spec.Selector ?? new LabelSelectorSpec();
            var matchLabels = selector.MatchLabels ?? ImmutableSortedDictionary<string, string>.Empty;
            if (!matchLabels.ContainsKey(BatchLabels.ControllerUid))
                matchLabels = matchLabels.Add(BatchLabels.ControllerUid, job.Metadata.Uid ?? "");
            spec = spec with
            {
                Template = template with { Metadata = (template.Metadata ?? new ObjectMeta()) with { Labels = labels } },
                Selector = selector with { MatchLabels = matchLabels },
            };
        }
        var jobLabels = job.Metadata.Labels is { Count: > 0 } ? job.Metadata.Labels : spec.Template?.Metadata?.Labels;
        return job with { Metadata = job.Metadata with { Labels = jobLabels }, Spec = spec };
    }

    private static PodFailurePolicyRule Rule(PodFailurePolicyRule rule) => rule with
    {
        OnPodConditions = rule.OnPodConditions?.Select(c => c with { Status = string.IsNullOrEmpty(c.Status) ? "True" : c.Status }).ToImmutableList(),
    };
}
