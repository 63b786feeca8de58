using Granary.NodeAgent.Pods;
using Microsoft.Extensions.Hosting;

namespace Granary.NodeAgent.Observability;

/// <summary>
/// Tells <see cref="KubeletMetrics"/> of the pods the agent is asked to run and of the statuses it observes. Apart from
/// the metrics themselves because the runtime they time sits below the parts that report statuses: one object holding
/// both would depend on itself.
/// </summary>
public sealed class KubeletMetricsFeed(KubeletMetrics metrics, DesiredPods desired, PodStatusReporter reporter) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        desired.Changed += OnDesiredChanged;
        reporter.Observed += metrics.PodStatusObserved;
        reporter.Forgotten += metrics.PodForgotten;
        OnDesiredChanged();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        desired.Changed -= OnDesiredChanged;
        reporter.Observed -= metrics.PodStatusObserved;
        reporter.Forgotten -= metrics.PodForgotten;
        return Task.CompletedTask;
    }

    private void OnDesiredChanged() => metrics.PodsDesired(desired.Snapshot());
}
