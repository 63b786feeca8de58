using System.Text.Json;
using System.Text.Json.Nodes;
using Granary.Api;
using Granary.Errors;

namespace Granary.Silo.Api;

/// <summary>
/// Reads a meta/v1 DeleteOptions from a request body (a delete's, or an Eviction's deleteOptions) with kube-apiserver's
/// checks and words; the delete endpoint adds its query parameters through <see cref="CheckedPolicy"/> and <see cref="Long"/>.
/// </summary>
internal static class DeleteOptionsReader
{
    /// <summary>
    /// A meta/v1 DeleteOptions (a delete's body, an Eviction's deleteOptions). kubectl delete --dry-run=server sends its
    /// dry run in here, not in the query.
    /// </summary>
    internal static DeleteOptions Read(JsonObject body, out bool dryRun)
    {
        dryRun = false;
        foreach (var mode in body["dryRun"] as JsonArray ?? [])
        {
            dryRun = (string?)mode == "All"
                ? true
                : throw new BadRequestException($"dryRun: Unsupported value: \"{mode}\": supported values: \"All\"");
        }
        return new DeleteOptions
        {
            GracePeriodSeconds = Long(body["gracePeriodSeconds"], "gracePeriodSeconds"),
            PreconditionUid = (string?)body["preconditions"]?["uid"],
            PreconditionResourceVersion = (string?)body["preconditions"]?["resourceVersion"],
            PropagationPolicy = PropagationPolicy(body),
        };
    }

    /// <summary>propagationPolicy, or the older orphanDependents (true means Orphan, false Background).</summary>
    private static string? PropagationPolicy(JsonObject body)
    {
        if (body["propagationPolicy"] is { } policy)
        {
            if (body["orphanDependents"] is not null)
                throw new InvalidException("DeleteOptions", "", [FieldError.Invalid("propagationPolicy", (string?)policy, "orphanDependents and deletionPropagation cannot be both set")]);
            return CheckedPolicy((string?)policy);
        }
        return body["orphanDependents"] is { } orphan
            ? orphan.GetValueKind() == JsonValueKind.True ? PropagationPolicies.Orphan : PropagationPolicies.Background
            : null;
    }

    internal static string? CheckedPolicy(string? policy) =>
        policy is null || PropagationPolicies.All.Contains(policy) ? policy
            : throw new InvalidException("DeleteOptions", "", [FieldError.Unsupported("propagationPolicy", policy, PropagationPolicies.All)]);

    internal static long? Long(JsonNode? node, string name)
    {
        if (node is null)
            return null;
        try
        {
            return node.GetValueKind() == JsonValueKind.String
                ? long.Parse(node.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
                : node.GetValue<long>();
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidOperationException)
        {
            throw new BadRequestException($"{name} must be an integer");
        }
    }
}
