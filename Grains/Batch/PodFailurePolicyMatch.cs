using Granary.Model;

namespace Granary.Grains.Batch;

/// <summary>What a failed pod means under a Job's podFailurePolicy: the first rule that matches decides.</summary>
/// <param name="Action">The matching rule's action; null when no rule matched (the failure counts).</param>
/// <param name="Message">For FailJob, the message kube writes on the Job's failure condition.</param>
public sealed record PodFailureVerdict(string? Action, string? Message)
{
    public static readonly PodFailureVerdict Unmatched = new(null, null);

    /// <summary>Whether the failure counts towards backoffLimit (Ignore does not).</summary>
    public bool Counts => Action != PodFailurePolicyRule.Ignore;
}

/// <summary>Kube's matchPodFailurePolicy: exit codes of terminated containers (0 never matches) or pod conditions.</summary>
public static class PodFailurePolicyMatch
{
    public static PodFailureVerdict Match(PodFailurePolicy? policy, Pod pod)
    {
        if (policy is null)
            return PodFailureVerdict.Unmatched;
        for (var i = 0; i < policy.Rules.Count; i++)
        {
            var rule = policy.Rules[i];
            if (rule.OnExitCodes is { } codes && MatchingContainer(codes, pod) is { } container)
                return new PodFailureVerdict(rule.Action,
                    $"Container {container.Name} for pod {pod.Metadata.Namespace}/{pod.Metadata.Name} failed with exit code {container.State!.Terminated!.ExitCode} matching {rule.Action} rule at index {i}");
            if (rule.OnPodConditions is { } patterns && patterns.FirstOrDefault(p => HasCondition(pod, p)) is { } pattern)
                return new PodFailureVerdict(rule.Action,
                    $"Pod {pod.Metadata.Namespace}/{pod.Metadata.Name} has condition {pattern.Type} matching {rule.Action} rule at index {i}");
        }
        return PodFailureVerdict.Unmatched;
    }

    private static ContainerStatus? MatchingContainer(PodFailurePolicyOnExitCodesRequirement codes, Pod pod) =>
        (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? [])
            .Where(c => codes.ContainerName is null || c.Name == codes.ContainerName)
            .FirstOrDefault(c => c.State?.Terminated is { ExitCode: not 0 } t
                                 && codes.Values.Contains(t.ExitCode) == (codes.Operator == PodFailurePolicyOnExitCodesRequirement.In));

    private static bool HasCondition(Pod pod, PodFailurePolicyOnPodConditionsPattern pattern) =>
        pod.Status?.Conditions?.Any(c => c.Type == pattern.Type && c.Status == (pattern.Status ?? "True")) == true;
}
