namespace Granary.Model;

/// <summary>
/// A pod's quality of service class, by Kubernetes' rules (pkg/apis/core/v1/helper/qos): only cpu and memory count,
/// summed over the containers and init containers. No request or limit at all is BestEffort; a cpu and a memory
/// limit on every container, with requests equal to limits, is Guaranteed; anything else is Burstable.
/// Expects a defaulted pod (requests copied from limits), as kube-apiserver computes it after defaulting.
/// </summary>
public static class PodQos
{
    public const string Guaranteed = "Guaranteed";
    public const string Burstable = "Burstable";
    public const string BestEffort = "BestEffort";

    private static readonly string[] QosResources = ["cpu", "memory"];

    public static string Of(PodSpec spec)
    {
        var requests = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var limits = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var guaranteed = true;
        foreach (var container in (spec.Containers ?? []).Concat(spec.InitContainers ?? []))
        {
            Sum(requests, container.Resources?.Requests);
            var limited = Sum(limits, container.Resources?.Limits);
            // Every container must limit both cpu and memory to be guaranteed.
            if (limited < QosResources.Length)
                guaranteed = false;
        }

        if (requests.Count == 0 && limits.Count == 0)
            return BestEffort;
        return guaranteed && requests.Count == limits.Count
            && requests.All(r => limits.TryGetValue(r.Key, out var limit) && limit == r.Value)
            ? Guaranteed
            : Burstable;
    }

    // Adds the non-zero cpu and memory amounts; answers how many of the two were there.
    private static int Sum(Dictionary<string, decimal> totals, IReadOnlyDictionary<string, Quantity>? amounts)
    {
        var found = 0;
        foreach (var name in QosResources)
        {
            if (amounts is null || !amounts.TryGetValue(name, out var quantity) || quantity.Amount == 0)
                continue;
            found++;
            totals[name] = totals.GetValueOrDefault(name) + quantity.Amount;
        }
        return found;
    }
}
