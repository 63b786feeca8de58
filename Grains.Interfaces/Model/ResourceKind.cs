using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>Describes one kind: its names on the wire and whether its objects live in a namespace.</summary>
[GenerateSerializer, Immutable, Alias("granary.ResourceKind")]
public sealed record ResourceKind(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Plural,
    [property: Id(2)] string Singular,
    [property: Id(3)] string ApiVersion,
    [property: Id(4)] bool Namespaced,
    [property: Id(5)] ImmutableArray<string> ShortNames)
{
    /// <summary>The object's key inside its kind: "namespace/name", or "name" for cluster-scoped kinds.</summary>
    public string KeyOf(string? @namespace, string name) => Namespaced ? $"{@namespace}/{name}" : name;

    public override string ToString() => Plural;
}

/// <summary>The kinds Granary serves. New kinds are added here and nowhere else.</summary>
public static class ResourceKinds
{
    public static readonly ResourceKind Pod = new("Pod", "pods", "pod", "v1", Namespaced: true, ["po"]);
    public static readonly ResourceKind Node = new("Node", "nodes", "node", "v1", Namespaced: false, ["no"]);
    public static readonly ResourceKind Namespace = new("Namespace", "namespaces", "namespace", "v1", Namespaced: false, ["ns"]);
    public static readonly ResourceKind Service = new("Service", "services", "service", "v1", Namespaced: true, ["svc"]);
    public static readonly ResourceKind Endpoints = new("Endpoints", "endpoints", "endpoints", "v1", Namespaced: true, ["ep"]);
    public static readonly ResourceKind EndpointSlice = new("EndpointSlice", "endpointslices", "endpointslice", "discovery.k8s.io/v1", Namespaced: true, []);
    public static readonly ResourceKind Event = new("Event", "events", "event", "v1", Namespaced: true, ["ev"]);
    public static readonly ResourceKind ReplicaSet = new("ReplicaSet", "replicasets", "replicaset", "apps/v1", Namespaced: true, ["rs"]);
    public static readonly ResourceKind Deployment = new("Deployment", "deployments", "deployment", "apps/v1", Namespaced: true, ["deploy"]);
    public static readonly ResourceKind PersistentVolumeClaim = new("PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", "v1", Namespaced: true, ["pvc"]);
    public static readonly ResourceKind PersistentVolume = new("PersistentVolume", "persistentvolumes", "persistentvolume", "v1", Namespaced: false, ["pv"]);
    public static readonly ResourceKind StorageClass = new("StorageClass", "storageclasses", "storageclass", "storage.k8s.io/v1", Namespaced: false, ["sc"]);
    public static readonly ResourceKind ConfigMap = new("ConfigMap", "configmaps", "configmap", "v1", Namespaced: true, ["cm"]);
    public static readonly ResourceKind Secret = new("Secret", "secrets", "secret", "v1", Namespaced: true, []);


    public static readonly ResourceKind ServiceAccount = new("ServiceAccount", "serviceaccounts", "serviceaccount", "v1", Namespaced: true, ["sa"]);
    public static readonly ResourceKind ControllerRevision = new("ControllerRevision", "controllerrevisions", "controllerrevision", "apps/v1", Namespaced: true, []);
    public static readonly ResourceKind Job = new("Job", "jobs", "job", "batch/v1", Namespaced: true, []);
    public static readonly ResourceKind CronJob = new("CronJob", "cronjobs", "cronjob", "batch/v1", Namespaced: true, ["cj"]);
    public static readonly ResourceKind StatefulSet = new("StatefulSet", "statefulsets", "statefulset", "apps/v1", Namespaced: true, ["sts"]);

    public static readonly ResourceKind PodDisruptionBudget = new("PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", "policy/v1", Namespaced: true, ["pdb"]);

    public static readonly ResourceKind HorizontalPodAutoscaler = new("HorizontalPodAutoscaler", "horizontalpodautoscalers", "horizontalpodautoscaler", "autoscaling/v2", Namespaced: true, ["hpa"]);

    public static readonly ResourceKind DaemonSet = new("DaemonSet", "daemonsets", "daemonset", "apps/v1", Namespaced: true, ["ds"]);

    public static readonly ResourceKind Role = new("Role", "roles", "role", "rbac.authorization.k8s.io/v1", Namespaced: true, []);
    public static readonly ResourceKind ClusterRole = new("ClusterRole", "clusterroles", "clusterrole", "rbac.authorization.k8s.io/v1", Namespaced: false, []);
    public static readonly ResourceKind RoleBinding = new("RoleBinding", "rolebindings", "rolebinding", "rbac.authorization.k8s.io/v1", Namespaced: true, []);
    public static readonly ResourceKind ClusterRoleBinding = new("ClusterRoleBinding", "clusterrolebindings", "clusterrolebinding", "rbac.authorization.k8s.io/v1", Namespaced: false, []);

    public static readonly ImmutableArray<ResourceKind> All = [Pod, Node, Namespace, Event, Service, Endpoints, EndpointSlice, ReplicaSet, Deployment, PersistentVolumeClaim, PersistentVolume, StorageClass,
        ConfigMap, Secret, ServiceAccount, ControllerRevision, Job, CronJob, PodDisruptionBudget, DaemonSet, StatefulSet, HorizontalPodAutoscaler,
        Role, ClusterRole, RoleBinding, ClusterRoleBinding];

    /// <summary>Finds a kind by plural, singular, kind name or short name, case-insensitively (as kubectl does).</summary>
    public static ResourceKind? Find(string name) =>
        All.FirstOrDefault(k =>
            string.Equals(k.Plural, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(k.Singular, name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(k.Kind, name, StringComparison.OrdinalIgnoreCase)
            || k.ShortNames.Contains(name.ToLowerInvariant()));
}
