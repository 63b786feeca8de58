using Granary.Errors;

namespace Granary.Grains.Disruption;

/// <summary>The refusals of the eviction API, in kube-apiserver's words (registry/core/pod/storage/eviction.go).</summary>
public static class EvictionErrors
{
    public const string DisruptionBudgetCause = "DisruptionBudget";
    public const string ViolatesBudget = "Cannot evict pod as it would violate the pod's disruption budget.";
    public const string MoreThanOneBudget = "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.";

    /// <summary>The budget allows no disruption now. Like kube, no Retry-After: kubectl drain retries every 5 s on its own.</summary>
    public static TooManyRequestsException BudgetExhausted(string pdb, int desiredHealthy, int currentHealthy) =>
        new(ViolatesBudget, 0, [new StatusCause(DisruptionBudgetCause, $"The disruption budget {pdb} needs {desiredHealthy} healthy pods and has {currentHealthy} currently")]);

    /// <summary>The budget's status is older than its spec (or a concurrent change got in): retry in 10 s.</summary>
    public static TooManyRequestsException StillProcessing(string pdb) =>
        new(ViolatesBudget, 10, [new StatusCause(DisruptionBudgetCause, $"The disruption budget {pdb} is still being processed by the server.")]);
}
