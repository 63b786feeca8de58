using System.Collections.Immutable;

namespace Granary.Grains.Scheduling;

/// <summary>The outcome of one pass: pods to bind, and pods that fit nowhere with the reason why.</summary>
public sealed record SchedulingPlan(ImmutableArray<Assignment> Assignments, ImmutableArray<Unschedulable> Unschedulable);

/// <summary>A pod and its node; <paramref name="Provision"/> are its unbound claims, to provision on that node before binding.</summary>
public sealed record Assignment(string Namespace, string Name, string Uid, string NodeName, ImmutableArray<PendingClaim> Provision = default)
{
    public ImmutableArray<PendingClaim> Provision { get; init; } = Provision.IsDefaultOrEmpty ? ImmutableArray<PendingClaim>.Empty : Provision;
}

/// <summary>A pod no node can take now; Message is worded as kube-scheduler's FitError.</summary>
public sealed record Unschedulable(string Namespace, string Name, string Uid, string Message);
