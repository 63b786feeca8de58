using System.Collections.Concurrent;
using System.Collections.Immutable;
using Granary.Api;
using Granary.Model;

namespace Granary.Grains.Security.GrainCalls;

/// <summary>
/// What a grain call from outside the silos asks to do, in Kubernetes' terms (verb, group, resource, subresource,
/// namespace, name), so that one <see cref="IAuthorizer"/> decides for the grain surface and the HTTP API alike.
/// A call may need several checks (a batch of pod statuses, a pod's Secrets). A method that is not listed here is
/// internal to the silos (pushing desired state to an agent, controller hooks, the CA's silo certificates, Orleans'
/// own grains): no outside caller may call it, whatever it is allowed otherwise.
/// </summary>
public static class GrainCallMap
{
    /// <summary>Where kubelets' leases live, as in Kubernetes.</summary>
    public const string NodeLeaseNamespace = "kube-node-lease";

    /// <summary>The non-resource paths of calls that read cluster-wide facts rather than objects.</summary>
    public const string ClusterCaPath = "/granary/cluster-ca";
    public const string ClusterStatsPath = "/granary/stats";
    public const string SilosPath = "/granary/silos";
    /// <summary>The public keys that verify ServiceAccount tokens (kube serves them at /openid/v1/jwks).</summary>
    public const string ServiceAccountKeysPath = "/openid/v1/jwks";

    private static readonly ImmutableDictionary<Type, ResourceKind> KindsByModel =
        ResourceKinds.All.Where(k => ResourceGrains.FindModelType(k) is not null).ToImmutableDictionary(k => ResourceGrains.FindModelType(k)!, k => k);

    private static readonly ConcurrentDictionary<Type, ResourceKind?> KindsByGrainClass = new();

    /// <summary>
    /// The checks a call needs, or null with <paramref name="internalOnly"/> naming the method when no outside caller
    /// may make it. <paramref name="grainClass"/> is the grain's class (for methods shared by every kind),
    /// <paramref name="key"/> its string key, <paramref name="argument"/> reads the call's arguments.
    /// </summary>
    public static ImmutableArray<AuthorizationAttributes>? Checks(
        UserInfo user, Type declaringInterface, string method, Type grainClass, string key, Func<int, object?> argument, out string? internalOnly)
    {
        internalOnly = null;
        var checks = Describe(user, declaringInterface, method, grainClass, key, argument);
        if (checks is null)
            internalOnly = $"{declaringInterface.Name}.{method}";
        return checks;
    }

    private static ImmutableArray<AuthorizationAttributes>? Describe(UserInfo user, Type iface, string method, Type grainClass, string key, Func<int, object?> arg)
    {
        if (iface.IsGenericType && iface.GetGenericTypeDefinition() == typeof(IResourceGrain<>))
        {
            var kind = KindsByModel.GetValueOrDefault(iface.GetGenericArguments()[0]);
            return kind is null ? null : method switch
            {
                nameof(IResourceGrain<Pod>.CreateAsync) => [On(user, "create", kind, key)],
                nameof(IResourceGrain<Pod>.GetAsync) => [On(user, "get", kind, key)],
                nameof(IResourceGrain<Pod>.UpdateAsync) => [On(user, "update", kind, key)],
                nameof(IResourceGrain<Pod>.UpdateStatusAsync) => [On(user, "update", kind, key, "status")],
                nameof(IResourceGrain<Pod>.ApplyAsync) => [On(user, "patch", kind, key)],
                nameof(IResourceGrain<Pod>.DeleteAsync) => [On(user, "delete", kind, key)],
                _ => null,
            };
        }
        if (iface == typeof(IResourceDryRun))
        {
            var kind = KindOfGrainClass(grainClass);
            return kind is null ? null : method switch
            {
                nameof(IResourceDryRun.DryRunCreateAsync) => [On(user, "create", kind, key)],
                nameof(IResourceDryRun.DryRunUpdateAsync) => [On(user, "update", kind, key, arg(1) is true ? "status" : "")],
                _ => null,
            };
        }
        if (iface == typeof(IPodGrain))
        {
            var pod = ResourceKinds.Pod;
            return method switch
            {
                nameof(IPodGrain.BindAsync) => [On(user, "create", pod, key, "binding")],
                nameof(IPodGrain.ReportStatusAsync) => [On(user, "update", pod, key, "status")],
                nameof(IPodGrain.ReadLogsAsync) => [On(user, "get", pod, key, "log")],
                nameof(IPodGrain.ExecAsync) => [On(user, "create", pod, key, "exec")],
                nameof(IPodGrain.MarkDisruptedAndDeleteAsync) => [On(user, "create", pod, key, "eviction")],
                _ => null,
            };
        }
        if (iface == typeof(INodeGrain))
        {
            var lease = new AuthorizationAttributes { User = user, Verb = "update", ApiGroup = "coordination.k8s.io", Resource = "leases", Namespace = NodeLeaseNamespace, Name = key };
            return method switch
            {
                nameof(INodeGrain.RenewLeaseAsync) => [lease],
                nameof(INodeGrain.HasLiveAgentAsync) or nameof(INodeGrain.GetLeaseAsync) => [lease with { Verb = "get" }],
                nameof(INodeGrain.RegisterAsync) => [On(user, "create", ResourceKinds.Node, key)],
                nameof(INodeGrain.GetAssignedPodsAsync) => [PodsOfNode(user, "list", key)],
                nameof(INodeGrain.ReportPodStatusesAsync) => [.. Items<PodStatusReport>(arg(0)).Select(r => On(user, "update", ResourceKinds.Pod, $"{r.Namespace}/{r.Name}", "status"))],
                nameof(INodeGrain.RecordEventsAsync) => [.. Items<Event>(arg(0)).Select(e => new AuthorizationAttributes { User = user, Verb = "create", Resource = "events", Namespace = e.Metadata.Namespace ?? "" }).Distinct()],
                _ => null,
            };
        }
        if (iface == typeof(INodeMetricsGrain))
        {
            // A usage report is the node's own observation of itself, as its status is; reading it is reading metrics.k8s.io.
            return method switch
            {
                nameof(INodeMetricsGrain.ReportAsync) => [On(user, "update", ResourceKinds.Node, key, "status")],
                nameof(INodeMetricsGrain.GetUsageAsync) => [new AuthorizationAttributes { User = user, Verb = "get", ApiGroup = "metrics.k8s.io", Resource = "nodes", Name = key }],
                _ => null,
            };
        }
        if (iface == typeof(INodeAgentGrain))
        {
            return method switch
            {
                nameof(INodeAgentGrain.SubscribeAsync) => [PodsOfNode(user, "watch", key)],
                nameof(INodeAgentGrain.ReadPodConfigAsync) when arg(0) is string ns =>
                    [.. Items<string>(arg(1)).Select(n => On(user, "get", ResourceKinds.ConfigMap, $"{ns}/{n}")),
                     .. Items<string>(arg(2)).Select(n => On(user, "get", ResourceKinds.Secret, $"{ns}/{n}"))],
                _ => null,
            };
        }
        if (iface == typeof(IListWatchGrain))
        {
            return method switch
            {
                nameof(IListWatchGrain.ListAsync) when arg(0) is ListRequest list => [Collection(user, "list", list.Kind, list.Namespace, list.FieldSelector)],
                nameof(IListWatchGrain.WatchAsync) when arg(0) is WatchRequest watch => [Collection(user, "watch", watch.Kind, watch.Namespace, watch.FieldSelector)],
                nameof(IListWatchGrain.GetStatsAsync) => [Path(user, ClusterStatsPath)],
                _ => null,
            };
        }
        if (iface == typeof(IEvictionGrain) && method == nameof(IEvictionGrain.EvictAsync) && arg(0) is string evictedNamespace && arg(1) is string evicted)
            return [On(user, "create", ResourceKinds.Pod, $"{evictedNamespace}/{evicted}", "eviction")];
        if (iface == typeof(IClusterCertificateAuthorityGrain))
        {
            return method switch
            {
                nameof(IClusterCertificateAuthorityGrain.GetAuthorityAsync) => [Path(user, ClusterCaPath)],
                nameof(IClusterCertificateAuthorityGrain.SignNodeServingAsync) when arg(0) is string node =>
                    [new AuthorizationAttributes { User = user, Verb = "create", ApiGroup = "certificates.k8s.io", Resource = "certificatesigningrequests", Subresource = "nodeserving", Name = node }],
                // A certificate that node agents' servers accept as a silo's: as kube's CSR API, only those who may sign
                // anything (system:masters; no default role grants it) may have one signed from outside the silos.
                nameof(IClusterCertificateAuthorityGrain.SignSiloClientAsync) =>
                    [new AuthorizationAttributes { User = user, Verb = "create", ApiGroup = "certificates.k8s.io", Resource = "certificatesigningrequests", Subresource = "siloclient" }],
                _ => null,
            };
        }
        if (iface == typeof(IServiceAccountTokenGrain))
        {
            return method switch
            {
                nameof(IServiceAccountTokenGrain.RequestAsync) when arg(0) is string ns && arg(1) is string account =>
                    [On(user, "create", ResourceKinds.ServiceAccount, $"{ns}/{account}", "token")],
                // The agent's call for a pod's projected token: the caller acts for node arg(0) (only that node's agent,
                // or whoever may write its status) and must see the pod, which the grain checks is bound to that node.
                nameof(IServiceAccountTokenGrain.RequestForPodAsync) when arg(0) is string node && arg(1) is string ns && arg(2) is string podName =>
                    [On(user, "update", ResourceKinds.Node, node, "status"), On(user, "get", ResourceKinds.Pod, $"{ns}/{podName}")],
                nameof(IServiceAccountTokenGrain.GetVerificationKeysAsync) => [Path(user, ServiceAccountKeysPath)],
                _ => null,
            };
        }
        if (iface == typeof(IManagementGrain) && method is nameof(IManagementGrain.GetDetailedHosts) or nameof(IManagementGrain.GetHosts))
            return [Path(user, SilosPath)];
        return null;
    }

    private static AuthorizationAttributes On(UserInfo user, string verb, ResourceKind kind, string key, string subresource = "")
    {
        var slash = key.IndexOf('/');
        var (ns, name) = kind.Namespaced && slash >= 0 ? (key[..slash], key[(slash + 1)..]) : ("", key);
        return new AuthorizationAttributes { User = user, Verb = verb, ApiGroup = Group(kind), Resource = kind.Plural, Subresource = subresource, Namespace = ns, Name = name };
    }

    private static AuthorizationAttributes Collection(UserInfo user, string verb, ResourceKind kind, string? ns, string? fieldSelector) =>
        new() { User = user, Verb = verb, ApiGroup = Group(kind), Resource = kind.Plural, Namespace = ns ?? "", FieldSelector = fieldSelector ?? "" };

    private static AuthorizationAttributes PodsOfNode(UserInfo user, string verb, string node) =>
        Collection(user, verb, ResourceKinds.Pod, null, $"spec.nodeName={node}");

    private static AuthorizationAttributes Path(UserInfo user, string path) =>
        new() { User = user, Verb = "get", IsResourceRequest = false, Path = path };

    private static string Group(ResourceKind kind) => kind.ApiVersion.Contains('/') ? kind.ApiVersion[..kind.ApiVersion.IndexOf('/')] : "";

    private static IEnumerable<T> Items<T>(object? value) => value is ImmutableArray<T> { IsDefault: false } items ? items : [];

    private static ResourceKind? KindOfGrainClass(Type grainClass) => KindsByGrainClass.GetOrAdd(grainClass, type =>
        type.GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IResourceGrain<>))
            .Select(i => KindsByModel.GetValueOrDefault(i.GetGenericArguments()[0]))
            .FirstOrDefault(k => k is not null));
}
