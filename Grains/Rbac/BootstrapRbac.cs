using Granary.Api;
using Granary.Errors;
using Granary.Grains.Security.Rbac;
using Granary.Model;

namespace Granary.Grains.Rbac;

/// <summary>
/// Creates and reconciles the bootstrap RBAC policy (<see cref="BootstrapPolicy"/>) at silo start, then lets the
/// aggregation controller fill admin, edit and view. Safe on every silo at once: a conflict with another silo's write
/// is read again and reconciled against what that silo wrote.
/// </summary>
public static class BootstrapRbac
{
    private const int Attempts = 5;

    public static async Task EnsureAsync(IGrainFactory grains)
    {
        foreach (var expected in BootstrapPolicy.ClusterRoles)
            await RetryAsync(() => EnsureRoleAsync(grains.GetGrain<IClusterRoleGrain>(expected.Metadata.Name!), expected));
        foreach (var expected in BootstrapPolicy.ClusterRoleBindings)
            await RetryAsync(() => EnsureBindingAsync(grains.GetGrain<IClusterRoleBindingGrain>(expected.Metadata.Name!), expected));
        await grains.GetGrain<IClusterRoleAggregationGrain>(0).ReconcileAsync();
    }

    private static async Task EnsureRoleAsync(IClusterRoleGrain grain, ClusterRole expected)
    {
        var existing = await GetOrNullAsync(grain.GetAsync);
        if (BootstrapReconciliation.Reconcile(expected, existing) is not { } write)
            return;
        if (existing is null)
            await grain.CreateAsync(write);
        else
            await grain.UpdateAsync(write);
    }

    private static async Task EnsureBindingAsync(IClusterRoleBindingGrain grain, ClusterRoleBinding expected)
    {
        var existing = await GetOrNullAsync(grain.GetAsync);
        var (write, recreate) = BootstrapReconciliation.Reconcile(expected, existing);
        if (write is null)
            return;
        if (recreate)
            await grain.DeleteAsync(new DeleteOptions());
        if (existing is null || recreate)
            await grain.CreateAsync(write with { Metadata = write.Metadata with { ResourceVersion = null, Uid = null, CreationTimestamp = null } });
        else
            await grain.UpdateAsync(write);
    }

    private static async Task<T?> GetOrNullAsync<T>(Func<Task<T>> get) where T : class
    {
        try
        {
            return await get();
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    /// <summary>Another silo reconciling at the same moment makes a create or update fail; reading again resolves it.</summary>
    private static async Task RetryAsync(Func<Task> reconcile)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await reconcile();
                return;
            }
            catch (GranaryException e) when (e is AlreadyExistsException or ConflictException or NotFoundException && attempt < Attempts)
            {
            }
        }
    }
}
