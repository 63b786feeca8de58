using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

public static partial class PodValidation
{
    public const string SpecUpdateForbidden =
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    /// <summary>
    /// Kubernetes' pod update rules, on top of <see cref="Validate"/> of the updated pod. Both pods are expected
    /// to be defaulted, so that fields the user left out do not count as changes.
    /// </summary>
    public static ImmutableList<FieldError> ValidateUpdate(Pod old, Pod updated)
    {
        var errors = ImmutableList.CreateBuilder<FieldError>();
        errors.AddRange(MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata));
        errors.AddRange(Validate(updated));

        var oldSpec = old.Spec;
        var newSpec = updated.Spec;
        var oldContainers = oldSpec.Containers ?? [];
        var newContainers = newSpec.Containers ?? [];
        if (oldContainers.Count != newContainers.Count)
        {
            errors.Add(FieldError.Forbidden("spec.containers", "pod updates may not add or remove containers"));
            return errors.ToImmutable();
        }

        errors.AddRange(ActiveDeadline(oldSpec.ActiveDeadlineSeconds, newSpec.ActiveDeadlineSeconds));
        errors.AddRange(OnlyAddedTolerations(oldSpec.Tolerations ?? [], newSpec.Tolerations ?? []));
        errors.AddRange(OnlyRemovedGates(oldSpec.SchedulingGates ?? [], newSpec.SchedulingGates ?? []));
        var oldInit = oldSpec.InitContainers ?? [];
        var newInit = newSpec.InitContainers ?? [];

        // Put back what may change, then whatever still differs was changed where it may not be.
        var masked = newSpec with
        {
            Containers = newSpec.Containers is null ? null : [.. newContainers.Select((c, i) => c with { Image = oldContainers[i].Image })],
            // An init container's image may change too; adding or removing one is a change of the spec.
            InitContainers = newSpec.InitContainers is null || oldInit.Count != newInit.Count ? newSpec.InitContainers
                : [.. newInit.Select((c, i) => c with { Image = oldInit[i].Image })],
            // Gates may only be removed (checked above), and a pod whose gates are all gone may be scheduled.
            SchedulingGates = oldSpec.SchedulingGates,
            ActiveDeadlineSeconds = oldSpec.ActiveDeadlineSeconds,
            Tolerations = oldSpec.Tolerations,
            TerminationGracePeriodSeconds = oldSpec.TerminationGracePeriodSeconds < 0 && newSpec.TerminationGracePeriodSeconds == 1
                ? oldSpec.TerminationGracePeriodSeconds
                : newSpec.TerminationGracePeriodSeconds,
            // Binding sets nodeName once, and the bind path may run this check; a set nodeName is fixed.
            NodeName = oldSpec.NodeName is null ? null : newSpec.NodeName,
        };
        if (!SpecComparison.AreEqual(oldSpec, masked))
            errors.Add(FieldError.Forbidden("spec", SpecUpdateForbidden));
        return errors.ToImmutable();
    }

    // A deadline may be set or shortened, never lengthened or removed.
    private static IEnumerable<FieldError> ActiveDeadline(long? old, long? updated)
    {
        if (updated is { } value && old < value)
            yield return NumberValidation.Invalid("spec.activeDeadlineSeconds", value, "must be less than or equal to previous value");
        else if (updated is null && old is not null)
            yield return FieldError.Invalid("spec.activeDeadlineSeconds", "null", "must not update from a positive integer to nil value");
    }

    private static IEnumerable<FieldError> OnlyRemovedGates(ImmutableList<PodSchedulingGate> old, ImmutableList<PodSchedulingGate> updated)
    {
        foreach (var gate in updated.Where(g => !old.Any(o => o.Name == g.Name)))
            yield return FieldError.Forbidden("spec.schedulingGates", $"only deletion is allowed, but found new scheduling gate '{gate.Name}'");
    }

    private static IEnumerable<FieldError> OnlyAddedTolerations(ImmutableList<Toleration> old, ImmutableList<Toleration> updated)
    {
        // Each existing toleration must still be there; only its tolerationSeconds may differ.
        if (!old.All(o => updated.Any(n => o with { TolerationSeconds = n.TolerationSeconds } == n)))
            yield return FieldError.Forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds");
    }
}
