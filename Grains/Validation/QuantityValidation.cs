using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Resource names and amounts: container requests and limits, node capacity and allocatable.</summary>
public static class QuantityValidation
{
    private static readonly ImmutableHashSet<string> ContainerResources = ["cpu", "memory", "ephemeral-storage"];

    // Unqualified names Kubernetes knows as resources; a name outside these (e.g. "cpus") is a typo, not an unknown kind.
    private static readonly ImmutableHashSet<string> StandardResources =
    [
        "cpu", "memory", "ephemeral-storage", "storage", "pods", "services", "replicationcontrollers", "resourcequotas",
        "secrets", "configmaps", "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
        "requests.cpu", "requests.memory", "requests.ephemeral-storage", "requests.storage",
        "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    ];

    // Counts of objects, which only come in whole units.
    private static readonly ImmutableHashSet<string> IntegerResources =
    [
        "pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
        "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
    ];

    /// <summary>A quantity that parses, is not negative and, for countable resources, is whole.</summary>
    public static IEnumerable<FieldError> Value(string resource, Quantity quantity, string field)
    {
        var text = quantity.Text ?? "";
        if (!Quantity.IsValid(text))
        {
            yield return FieldError.Invalid(field, text, Quantity.FormatRule);
            yield break;
        }
        if (quantity.Amount < 0)
            yield return FieldError.Invalid(field, text, ValidationMessages.NonNegative);
        if (IsIntegerResource(resource) && quantity.Amount % 1m != 0)
            yield return FieldError.Invalid(field, text, ValidationMessages.NotAnInteger);
    }

    /// <summary>Kubernetes' container resource rules; <paramref name="field"/> is the <c>resources</c> path.</summary>
    public static IEnumerable<FieldError> Requirements(ResourceRequirements? requirements, string field)
    {
        var limits = requirements?.Limits ?? ImmutableSortedDictionary<string, Quantity>.Empty;
        var requests = requirements?.Requests ?? ImmutableSortedDictionary<string, Quantity>.Empty;
        var limitsPath = $"{field}.limits";
        var requestsPath = $"{field}.requests";

        foreach (var (name, quantity) in limits)
        {
            var path = $"{limitsPath}[{name}]";
            foreach (var error in ContainerResourceName(name, path).Concat(Value(name, quantity, path)))
                yield return error;
        }

        foreach (var (name, request) in requests)
        {
            var path = $"{requestsPath}[{name}]";
            var errors = ContainerResourceName(name, path).Concat(Value(name, request, path)).ToList();
            foreach (var error in errors)
                yield return error;
            if (errors.Count > 0)
                continue;

            if (limits.TryGetValue(name, out var limit))
            {
                if (!Quantity.IsValid(limit.Text))
                    continue;
                // Hugepages and extended resources cannot be overcommitted, so their request must match the limit.
                if (!IsOvercommitAllowed(name) && request.Amount != limit.Amount)
                    yield return FieldError.Invalid(requestsPath, request.Text, $"must be equal to {name} limit of {limit.Text}");
                else if (request.Amount > limit.Amount)
                    yield return FieldError.Invalid(requestsPath, request.Text, $"must be less than or equal to {name} limit of {limit.Text}");
            }
            else if (!IsOvercommitAllowed(name))
            {
                yield return FieldError.Required(limitsPath) with { Detail = "Limit must be set for non overcommitable resources" };
            }
        }
    }

    private static IEnumerable<FieldError> ContainerResourceName(string name, string field)
    {
        var errors = SyntaxValidation.QualifiedName(name, field).ToList();
        if (errors.Count > 0)
            return errors;
        if (!name.Contains('/'))
        {
            if (!StandardResources.Contains(name) && !IsHugePages(name))
                return [FieldError.Invalid(field, name, "must be a standard resource type or fully qualified")];
            if (!ContainerResources.Contains(name) && !IsHugePages(name))
                return [FieldError.Invalid(field, name, "must be a standard resource for containers")];
        }
        else if (!IsNative(name) && name.StartsWith("requests.", StringComparison.Ordinal))
        {
            return [FieldError.Invalid(field, name, "doesn't follow extended resource name standard")];
        }
        return [];
    }

    private static bool IsHugePages(string name) => name.StartsWith("hugepages-", StringComparison.Ordinal);

    // Resources Kubernetes itself defines; anything else with a domain prefix is an extended resource.
    private static bool IsNative(string name) => !name.Contains('/') || name.Contains("kubernetes.io/", StringComparison.Ordinal);

    private static bool IsExtended(string name) => !IsNative(name) && !name.StartsWith("requests.", StringComparison.Ordinal);

    private static bool IsIntegerResource(string name) => IntegerResources.Contains(name) || IsExtended(name);

    private static bool IsOvercommitAllowed(string name) => IsNative(name) && !IsHugePages(name);
}
