using Granary.Grains.Caching;
using Granary.Model;

namespace Granary.Grains.Security.Rbac;

/// <summary>
/// kube's RBAC authorizer over this silo's watch cache: the Roles, ClusterRoles and bindings are indexed in memory
/// (<see cref="RbacPolicy"/>) and the index is rebuilt on the first request after any of them changed, so a request
/// costs no store read. Allows what a binding grants; otherwise it has no opinion, and the chain denies.
/// </summary>
public sealed class RbacAuthorizer : IAuthorizer, IDisposable
{
    private static readonly ResourceKind[] Kinds = [ResourceKinds.Role, ResourceKinds.ClusterRole, ResourceKinds.RoleBinding, ResourceKinds.ClusterRoleBinding];

    private readonly WatchCache _cache;
    private readonly Action<IReadOnlyList<CachedEvent>> _onChanged;
    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private volatile RbacPolicy? _policy;
    private int _version; // bumped on every change; a rebuild that started before a bump is redone

    public RbacAuthorizer(WatchCache cache)
    {
        _cache = cache;
        _onChanged = _ => Interlocked.Increment(ref _version);
        foreach (var kind in Kinds)
            cache.For(kind).Changed += _onChanged;
    }

    public async ValueTask<AuthorizationResult> AuthorizeAsync(AuthorizationAttributes attributes, CancellationToken cancellationToken = default) =>
        (await PolicyAsync(cancellationToken)).Authorize(attributes);

    /// <summary>The current picture of the RBAC objects (for access and rules reviews).</summary>
    public async ValueTask<RbacPolicy> PolicyAsync(CancellationToken cancellationToken = default)
    {
        var version = Volatile.Read(ref _version);
        if (_policy is { } policy && _builtAt == version)
            return policy;
        await _rebuild.WaitAsync(cancellationToken);
        try
        {
            version = Volatile.Read(ref _version);
            if (_policy is { } current && _builtAt == version)
                return current;
            foreach (var kind in Kinds)
                await _cache.For(kind).Ready.WaitAsync(cancellationToken);
            var built = new RbacPolicy(Items<Role>(ResourceKinds.Role), Items<ClusterRole>(ResourceKinds.ClusterRole),
                Items<RoleBinding>(ResourceKinds.RoleBinding), Items<ClusterRoleBinding>(ResourceKinds.ClusterRoleBinding));
            _policy = built;
            _builtAt = version;
            return built;
        }
        finally
        {
            _rebuild.Release();
        }
    }

    private volatile int _builtAt = -1;

    private IEnumerable<T> Items<T>(ResourceKind kind) =>
        _cache.For(kind).Snapshot(ObjectFilter.Everything).Items.Select(i => (T)i.Value);

    public void Dispose()
    {
        foreach (var kind in Kinds)
            _cache.For(kind).Changed -= _onChanged;
        _rebuild.Dispose();
    }
}
