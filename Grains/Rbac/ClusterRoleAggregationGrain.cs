using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Rbac;

/// <summary>
/// kube's clusterrole-aggregation controller as a grain: level-triggered, every hint re-reads all ClusterRoles from the
/// watch cache (consistently) and rewrites the aggregated ones whose rules are out of date. A conflict means someone
/// wrote the role meanwhile; that write hints again, so the next pass catches up.
/// </summary>
public sealed partial class ClusterRoleAggregationGrain(WatchCache cache, ILogger<ClusterRoleAggregationGrain> logger)
    : Grain, IClusterRoleAggregationGrain
{
    /// <summary>Aggregated roles can aggregate each other (view into edit into admin): one pass per level.</summary>
    private const int MaxPasses = 5;

    public Task ClusterRoleChangedAsync() => ReconcileAsync();

    public async Task ReconcileAsync()
    {
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            if (!await PassAsync())
                return;
        }
    }

    /// <summary>One pass; whether it changed anything.</summary>
    private async Task<bool> PassAsync()
    {
        var changed = false;
        var roles = (await cache.ConsistentAsync(ResourceKinds.ClusterRole)).Snapshot(ObjectFilter.Everything).Items
            .Select(i => (ClusterRole)i.Value).ToList();
        foreach (var desired in ClusterRoleAggregation.Plan(roles))
        {
            var name = desired.Metadata.Name!;
            try
            {
                await GrainFactory.GetGrain<IClusterRoleGrain>(name).UpdateAsync(desired);
                LogAggregated(logger, name, desired.Rules?.Count ?? 0);
                changed = true;
            }
            catch (GranaryException e) when (e is ConflictException or NotFoundException)
            {
                // Changed or deleted since the read: that write sends its own hint.
            }
        }
        return changed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Aggregated ClusterRole {Name}: {Rules} rules")]
    private static partial void LogAggregated(ILogger logger, string name, int rules);
}
