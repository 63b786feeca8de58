using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Kubernetes' ReplicaSet rules (apps/v1), every problem at once with its field path.</summary>
public static class ReplicaSetValidation
{
    public static ImmutableList<FieldError> Validate(ReplicaSet rs) =>
    [
        .. MetadataValidation.Validate(rs.Metadata, namespaced: true),
        .. WorkloadValidation.Replicas(rs.Spec.Replicas, rs.Spec.MinReadySeconds),
        .. WorkloadValidation.SelectorAndTemplate(rs.Spec.Selector, rs.Spec.Template),
    ];

    public static ImmutableList<FieldError> ValidateUpdate(ReplicaSet old, ReplicaSet updated) =>
    [
        .. MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata),
        .. Validate(updated),
        .. WorkloadValidation.SelectorUnchanged(old.Spec.Selector, updated.Spec.Selector),
    ];
}
