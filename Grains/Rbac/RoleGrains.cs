using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Resources;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Rbac;

/// <summary>Owns one Role (key "namespace/name"): its rules are the user's; the authorizer sees them through the watch cache.</summary>
public sealed class RoleGrain(IObjectStore store, TimeProvider time, ILogger<RoleGrain> logger)
    : ResourceGrain<Role>(store, time, logger), IRoleGrain
{
    protected override ImmutableList<FieldError> Validate(Role resource) => RbacValidation.Validate(resource);

    protected override Role WithSpec(Role existing, Role desired) => existing with { Rules = desired.Rules };

    protected override Role WithStatus(Role existing, Role desired) => existing;
}

/// <summary>
/// Owns one ClusterRole (key "name"). The rules of an aggregated one are written by the aggregation controller
/// (<see cref="ClusterRoleAggregation"/>), which updates them as any client would.
/// </summary>
public sealed class ClusterRoleGrain(IObjectStore store, TimeProvider time, ILogger<ClusterRoleGrain> logger)
    : ResourceGrain<ClusterRole>(store, time, logger), IClusterRoleGrain
{
    protected override ImmutableList<FieldError> Validate(ClusterRole resource) => RbacValidation.Validate(resource);

    protected override ClusterRole WithSpec(ClusterRole existing, ClusterRole desired) =>
        existing with { Rules = desired.Rules, AggregationRule = desired.AggregationRule };

    protected override ClusterRole WithStatus(ClusterRole existing, ClusterRole desired) => existing;

    protected override Task AfterWriteAsync(ClusterRole? before, ClusterRole? after) =>
        GrainFactory.GetGrain<IClusterRoleAggregationGrain>(0).ClusterRoleChangedAsync();
}

/// <summary>Owns one RoleBinding (key "namespace/name"); its roleRef is fixed at creation.</summary>
public sealed class RoleBindingGrain(IObjectStore store, TimeProvider time, ILogger<RoleBindingGrain> logger)
    : ResourceGrain<RoleBinding>(store, time, logger), IRoleBindingGrain
{
    protected override ImmutableList<FieldError> Validate(RoleBinding resource) => RbacValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(RoleBinding old, RoleBinding updated) =>
        [.. MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata), .. RbacValidation.RoleRefUnchanged(old.RoleRef, updated.RoleRef), .. Validate(updated)];

    protected override RoleBinding ApplyDefaults(RoleBinding resource) => resource with { Subjects = RbacValidation.DefaultSubjects(resource.Subjects) };

    protected override RoleBinding WithSpec(RoleBinding existing, RoleBinding desired) =>
        existing with { Subjects = desired.Subjects, RoleRef = desired.RoleRef };

    protected override RoleBinding WithStatus(RoleBinding existing, RoleBinding desired) => existing;
}

/// <summary>Owns one ClusterRoleBinding (key "name"); its roleRef is fixed at creation.</summary>
public sealed class ClusterRoleBindingGrain(IObjectStore store, TimeProvider time, ILogger<ClusterRoleBindingGrain> logger)
    : ResourceGrain<ClusterRoleBinding>(store, time, logger), IClusterRoleBindingGrain
{
    protected override ImmutableList<FieldError> Validate(ClusterRoleBinding resource) => RbacValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(ClusterRoleBinding old, ClusterRoleBinding updated) =>
        [.. MetadataValidation.ValidateUpdate(old.Metadata, updated.Metadata), .. RbacValidation.RoleRefUnchanged(old.RoleRef, updated.RoleRef), .. Validate(updated)];

    protected override ClusterRoleBinding ApplyDefaults(ClusterRoleBinding resource) => resource with { Subjects = RbacValidation.DefaultSubjects(resource.Subjects) };

    protected override ClusterRoleBinding WithSpec(ClusterRoleBinding existing, ClusterRoleBinding desired) =>
        existing with { Subjects = desired.Subjects, RoleRef = desired.RoleRef };

    protected override ClusterRoleBinding WithStatus(ClusterRoleBinding existing, ClusterRoleBinding desired) => existing;
}
