using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Security.Rbac;

/// <summary>
/// kube-apiserver's bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), for the kinds Granary
/// serves: cluster-admin; the user-facing admin, edit and view roles, aggregated from the system:aggregate-to-*
/// roles by label so that a ClusterRole labelled aggregate-to-view extends view, edit and admin; the discovery roles;
/// and the bindings that give them to system:masters, authenticated and unauthenticated users. Every object carries
/// kube's bootstrapping label and the autoupdate annotation that lets an operator opt an object out of reconciliation.
/// </summary>
public static class BootstrapPolicy
{
    public const string AutoupdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate";
    public const string BootstrappingLabel = "kubernetes.io/bootstrapping";
    public const string AggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin";
    public const string AggregateToEdit = "rbac.authorization.k8s.io/aggregate-to-edit";
    public const string AggregateToView = "rbac.authorization.k8s.io/aggregate-to-view";

    private static readonly string[] Read = ["get", "list", "watch"];
    private static readonly string[] ReadWrite = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
    private static readonly string[] Write = ["create", "delete", "deletecollection", "patch", "update"];
    private static readonly string[] PublicInfoUrls = ["/healthz", "/livez", "/readyz", "/version", "/version/"];

    public static ImmutableArray<ClusterRole> ClusterRoles { get; } =
    [
        Role("cluster-admin", rules:
        [
            Rule(["*"], ["*"], ["*"]),
            NonResource(["*"], ["*"]),
        ]),
        Aggregated("admin", AggregateToAdmin),
        Aggregated("edit", AggregateToEdit, labels: [AggregateToAdmin]),
        Aggregated("view", AggregateToView, labels: [AggregateToEdit]),
        Role("system:aggregate-to-admin", labels: [AggregateToAdmin], rules:
        [
            Rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
            Rule(ReadWrite, ["rbac.authorization.k8s.io"], ["rolebindings", "roles"]),
        ]),
        Role("system:aggregate-to-edit", labels: [AggregateToEdit], rules:
        [
            // Reads of what view leaves out because it escalates (secrets, exec); view itself aggregates into edit.
            Rule(Read, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"]),
            Rule(["impersonate"], [""], ["serviceaccounts"]),
            Rule(Write, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
            Rule(["create"], [""], ["pods/eviction"]),
            Rule(Write, [""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale",
                "secrets", "serviceaccounts", "services", "services/proxy"]),
            Rule(["create"], [""], ["serviceaccounts/token"]),
            Rule(Write, ["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale",
                "statefulsets", "statefulsets/scale"]),
            Rule(Write, ["autoscaling"], ["horizontalpodautoscalers"]),
            Rule(Write, ["batch"], ["cronjobs", "jobs"]),
            Rule(Write, ["policy"], ["poddisruptionbudgets"]),
            Rule(Write, ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
            Rule(Write, ["coordination.k8s.io"], ["leases"]),
        ]),
        Role("system:aggregate-to-view", labels: [AggregateToView], rules:
        [
            Rule(Read, [""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers",
                "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"]),
            Rule(Read, [""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status",
                "resourcequotas", "resourcequotas/status"]),
            Rule(Read, [""], ["namespaces"]),
            Rule(Read, ["discovery.k8s.io"], ["endpointslices"]),
            Rule(Read, ["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
                "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"]),
            Rule(Read, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
            Rule(Read, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
            Rule(Read, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
            Rule(Read, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
        ]),
        // metrics-server's role: reading usage is viewing, so it aggregates into view, edit and admin.
        Role("system:aggregated-metrics-reader", labels: [AggregateToView, AggregateToEdit, AggregateToAdmin], rules:
        [
            Rule(Read, ["metrics.k8s.io"], ["nodes", "pods"]),
        ]),
        Role("system:basic-user", rules:
        [
            Rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            Rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
        ]),
        Role("system:discovery", rules:
        [
            NonResource(["get"], ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"]),
        ]),
        Role("system:public-info-viewer", rules: [NonResource(["get"], PublicInfoUrls)]),
        // kube's role for Prometheus and other scrapers: the silo's /metrics and the health probes, nothing else.
        Role("system:monitoring", rules:
        [
            NonResource(["get"], ["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"]),
        ]),
    ];

    public static ImmutableArray<ClusterRoleBinding> ClusterRoleBindings { get; } =
    [
        Binding("cluster-admin", "cluster-admin", WellKnownGroups.Masters),
        Binding("system:basic-user", "system:basic-user", WellKnownGroups.Authenticated),
        Binding("system:discovery", "system:discovery", WellKnownGroups.Authenticated),
        Binding("system:public-info-viewer", "system:public-info-viewer", WellKnownGroups.Authenticated, WellKnownGroups.Unauthenticated),
        Binding("system:monitoring", "system:monitoring", Monitoring),
    ];

    /// <summary>The group kube binds to system:monitoring: put a scraper's token-file user or certificate in it.</summary>
    public const string Monitoring = "system:monitoring";

    private static ObjectMeta Meta(string name, IEnumerable<string> trueLabels) => new()
    {
        Name = name,
        Labels = trueLabels.Aggregate(ImmutableSortedDictionary<string, string>.Empty.Add(BootstrappingLabel, "rbac-defaults"), (l, key) => l.Add(key, "true")),
        Annotations = ImmutableSortedDictionary<string, string>.Empty.Add(AutoupdateAnnotation, "true"),
    };

    private static ClusterRole Role(string name, PolicyRule[] rules, string[]? labels = null) =>
        new() { Metadata = Meta(name, labels ?? []), Rules = [.. rules] };

    private static ClusterRole Aggregated(string name, string selectorLabel, string[]? labels = null) => new()
    {
        Metadata = Meta(name, labels ?? []),
        Rules = [],
        AggregationRule = new AggregationRule
        {
            ClusterRoleSelectors = [new LabelSelectorSpec { MatchLabels = ImmutableSortedDictionary<string, string>.Empty.Add(selectorLabel, "true") }],
        },
    };

    private static ClusterRoleBinding Binding(string name, string role, params string[] groups) => new()
    {
        Metadata = Meta(name, []),
        RoleRef = new RoleRef { ApiGroup = Subject.RbacGroup, Kind = "ClusterRole", Name = role },
        Subjects = [.. groups.Select(g => new Subject { Kind = Subject.GroupKind, ApiGroup = Subject.RbacGroup, Name = g })],
    };

    private static PolicyRule Rule(string[] verbs, string[] groups, string[] resources) =>
        new() { Verbs = [.. verbs], ApiGroups = [.. groups], Resources = [.. resources] };

    private static PolicyRule NonResource(string[] verbs, string[] urls) => new() { Verbs = [.. verbs], NonResourceUrls = [.. urls] };
}
