using Granary.Model;

namespace Granary.NodeAgent.Probes;

/// <summary>A probe's timing and thresholds with Kubernetes' defaults for unset (or non-positive) values.</summary>
public readonly record struct ProbeSettings(TimeSpan InitialDelay, TimeSpan Period, TimeSpan Timeout, int SuccessThreshold, int FailureThreshold)
{
    public static ProbeSettings Of(Probe probe) => new(
        TimeSpan.FromSeconds(Math.Max(0, probe.InitialDelaySeconds ?? 0)),
        TimeSpan.FromSeconds(Positive(probe.PeriodSeconds, 10)),
        TimeSpan.FromSeconds(Positive(probe.TimeoutSeconds, 1)),
        Positive(probe.SuccessThreshold, 1),
        Positive(probe.FailureThreshold, 3));

    private static int Positive(int? value, int fallback) => value is > 0 ? value.Value : fallback;
}
