using System.Text.Json.Nodes;
using Granary.Model;
using Granary.Silo.Api.Protobuf;

namespace Granary.Tests.Unit.Api.Protobuf;

/// <summary>
/// An object of every served kind (and of the subresources' kinds), written as protobuf by the schema-driven test
/// encoder, decodes to the same JSON: the schema and the decoder cover every field these objects use.
/// </summary>
public sealed class RoundTripTests
{
    private const string Meta = """
        "metadata": {"name": "web", "namespace": "default", "uid": "6f1c", "resourceVersion": "12", "generation": 3,
          "creationTimestamp": "2026-12-07T01:02:03Z", "labels": {"app": "web"}, "annotations": {"note": "x"},
          "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "9a", "controller": true, "blockOwnerDeletion": true}],
          "finalizers": ["kubernetes.io/x"],
          "managedFields": [{"manager": "kubectl", "operation": "Apply", "apiVersion": "v1", "time": "2026-12-07T01:02:03Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {} } } } }]}
        """;

    private const string PodSpec = """
        {"containers": [{"name": "main", "image": "local/busybox:1", "command": ["sh", "-c"], "args": ["sleep 3600"], "workingDir": "/w",
           "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
           "env": [{"name": "A", "value": "1"}, {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"} } }],
           "resources": {"limits": {"cpu": "500m", "memory": "64Mi"}, "requests": {"cpu": "100m"}},
           "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "initialDelaySeconds": 1, "periodSeconds": 5},
           "readinessProbe": {"tcpSocket": {"port": 8080}}, "startupProbe": {"exec": {"command": ["true"]}, "failureThreshold": 30},
           "imagePullPolicy": "IfNotPresent"}],
         "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "activeDeadlineSeconds": 600, "nodeSelector": {"disk": "ssd"},
         "nodeName": "n1", "hostNetwork": true, "schedulerName": "default-scheduler", "hostname": "web",
         "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 300}]}
        """;

    private static readonly Dictionary<string, string> Objects = new()
    {
        ["Pod"] = $$$"""
            {"apiVersion": "v1", "kind": "Pod", {{{Meta}}}, "spec": {{{PodSpec}}},
            "status": {"phase": "Running", "podIP": "127.1.0.5", "hostIP": "127.0.0.11", "startTime": "2026-12-07T01:02:03Z",
              "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-12-07T01:02:03Z"}],
              "containerStatuses": [{"name": "main", "ready": true, "restartCount": 2, "image": "local/busybox:1", "imageID": "sha256:1", "containerID": "docker://c",
                "state": {"running": {"startedAt": "2026-12-07T01:02:03Z"}}, "lastState": {"terminated": {"exitCode": 1, "reason": "Error"} } }]}}
            """,
        ["Node"] = $$$"""
            {"apiVersion": "v1", "kind": "Node", {{{Meta}}}, "spec": {"unschedulable": true, "taints": [{"key": "k", "value": "v", "effect": "NoExecute"}], "podCIDR": "127.1.0.0/24"},
            "status": {"capacity": {"cpu": "4", "memory": "4Gi", "pods": "110"}, "allocatable": {"cpu": "3500m"},
              "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "lastHeartbeatTime": "2026-12-07T01:02:03Z"}],
              "addresses": [{"type": "InternalIP", "address": "127.0.0.11"}], "nodeInfo": {"kubeletVersion": "v1.32.4", "containerRuntimeVersion": "docker://27"} } }
            """,
        ["Namespace"] = $$$"""{"apiVersion": "v1", "kind": "Namespace", {{{Meta}}}, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}""",
        ["Event"] = $$$"""
            {"apiVersion": "v1", "kind": "Event", {{{Meta}}}, "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web", "uid": "6f1c", "fieldPath": "spec.containers{main}"},
            "reason": "Started", "message": "Started container main", "source": {"component": "granary-agent", "host": "n1"},
            "firstTimestamp": "2026-12-07T01:02:03Z", "lastTimestamp": "2026-12-07T01:02:03Z", "count": 2, "type": "Normal",
            "eventTime": "2026-12-07T01:02:03.123456Z", "series": {"count": 2, "lastObservedTime": "2026-12-07T01:02:03.000001Z"}, "reportingComponent": "granary-agent", "reportingInstance": "n1"}
            """,
        ["Service"] = $$$"""
            {"apiVersion": "v1", "kind": "Service", {{{Meta}}},
            "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http", "nodePort": 30080}, {"name": "m", "port": 9090, "targetPort": 9091}],
              "clusterIP": "10.43.0.10", "clusterIPs": ["10.43.0.10"], "sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
              "externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "publishNotReadyAddresses": true},
            "status": {"loadBalancer": {} } }
            """,
        ["Endpoints"] = $$$"""
            {"apiVersion": "v1", "kind": "Endpoints", {{{Meta}}}, "subsets": [{"addresses": [{"ip": "127.1.0.5", "nodeName": "n1", "targetRef": {"kind": "Pod", "name": "web", "namespace": "default", "uid": "6f1c"}}],
            "notReadyAddresses": [{"ip": "127.1.0.6"}], "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}]}
            """,
        ["EndpointSlice"] = $$$"""
            {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", {{{Meta}}}, "addressType": "IPv4",
            "endpoints": [{"addresses": ["127.1.0.5"], "conditions": {"ready": true, "serving": true, "terminating": false}, "nodeName": "n1", "targetRef": {"kind": "Pod", "name": "web"}}],
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}
            """,
        ["ReplicaSet"] = $$$"""
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", {{{Meta}}},
            "spec": {"replicas": 0, "minReadySeconds": 5, "selector": {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]},
              "template": {"metadata": {"labels": {"app": "web"}}, "spec": {{{PodSpec}}} } },
            "status": {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 1, "availableReplicas": 1, "observedGeneration": 3}}
            """,
        ["Deployment"] = $$$"""
            {"apiVersion": "apps/v1", "kind": "Deployment", {{{Meta}}},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {{{PodSpec}}} },
              "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600, "paused": true},
            "status": {"observedGeneration": 3, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
              "conditions": [{"type": "Available", "status": "True", "lastUpdateTime": "2026-12-07T01:02:03Z", "lastTransitionTime": "2026-12-07T01:02:03Z", "reason": "MinimumReplicasAvailable", "message": "ok"}]}}
            """,
        ["StatefulSet"] = $$$"""
            {"apiVersion": "apps/v1", "kind": "StatefulSet", {{{Meta}}},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {{{PodSpec}}} },
              "volumeClaimTemplates": [{"metadata": {"name": "www"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "volumeMode": "Filesystem"}, "status": {"phase": "Pending"} }],
              "serviceName": "nginx", "podManagementPolicy": "OrderedReady", "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1, "maxUnavailable": 1}},
              "revisionHistoryLimit": 10, "minReadySeconds": 5, "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Retain"}, "ordinals": {"start": 2} },
            "status": {"observedGeneration": 3, "replicas": 3, "readyReplicas": 2, "currentReplicas": 1, "updatedReplicas": 2, "currentRevision": "web-5d8f", "updateRevision": "web-7c9b",
              "collisionCount": 1, "availableReplicas": 2, "conditions": [{"type": "Progressing", "status": "True", "lastTransitionTime": "2026-12-07T01:02:03Z", "reason": "r", "message": "m"}]}}
            """,
        ["ServiceAccount"] = $$$"""{"apiVersion": "v1", "kind": "ServiceAccount", {{{Meta}}}, "secrets": [{"name": "token"}], "imagePullSecrets": [{"name": "registry"}], "automountServiceAccountToken": false}""",
        ["Role"] = $$$"""{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", {{{Meta}}}, "rules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods", "pods/log"], "resourceNames": ["web"]}]}""",
        ["ClusterRole"] = $$$"""
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", {{{Meta}}},
            "rules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz", "/api/*"]}],
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}}]}}
            """,
        ["RoleBinding"] = $$$"""
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", {{{Meta}}},
            "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "jane"}, {"kind": "ServiceAccount", "name": "robot", "namespace": "dev"}],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}}
            """,
        ["ClusterRoleBinding"] = $$$"""
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", {{{Meta}}},
            "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "ops"}],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}}
            """,
        ["SelfSubjectAccessReview"] = """
            {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "metadata": {"name": "x"},
            "spec": {"resourceAttributes": {"namespace": "dev", "verb": "list", "group": "apps", "resource": "deployments", "subresource": "scale", "name": "web"}}}
            """,
        ["SelfSubjectRulesReview"] = """{"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "metadata": {"name": "x"}, "spec": {"namespace": "dev"}}""",
        ["Job"] = $$$"""
            {"apiVersion": "batch/v1", "kind": "Job", {{{Meta}}},
            "spec": {"parallelism": 3, "completions": 5, "activeDeadlineSeconds": 600, "backoffLimit": 6, "backoffLimitPerIndex": 1, "maxFailedIndexes": 2,
              "podFailurePolicy": {"rules": [{"action": "FailJob", "onExitCodes": {"containerName": "main", "operator": "In", "values": [1, 42]}},
                {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]},
              "successPolicy": {"rules": [{"succeededIndexes": "0-2", "succeededCount": 2}]},
              "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "6f1c"}}, "manualSelector": false,
              "template": {"metadata": {"labels": {"batch.kubernetes.io/controller-uid": "6f1c"}}, "spec": {{{PodSpec}}} },
              "ttlSecondsAfterFinished": 100, "completionMode": "Indexed", "suspend": false, "podReplacementPolicy": "Failed", "managedBy": "kubernetes.io/job-controller"},
            "status": {"conditions": [{"type": "Complete", "status": "True", "lastProbeTime": "2026-12-07T01:02:03Z", "lastTransitionTime": "2026-12-07T01:02:03Z",
                "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"}],
              "startTime": "2026-12-07T01:02:03Z", "completionTime": "2026-12-07T01:03:03Z", "active": 1, "succeeded": 5, "failed": 1, "terminating": 0,
              "completedIndexes": "0-4", "failedIndexes": "", "uncountedTerminatedPods": {"succeeded": ["a"], "failed": ["b"]}, "ready": 0}}
            """,
        ["CronJob"] = $$$"""
            {"apiVersion": "batch/v1", "kind": "CronJob", {{{Meta}}},
            "spec": {"schedule": "*/5 * * * *", "timeZone": "Europe/Berlin", "startingDeadlineSeconds": 200, "concurrencyPolicy": "Forbid", "suspend": true,
              "jobTemplate": {"metadata": {"labels": {"app": "tick"}}, "spec": {"backoffLimit": 2, "template": {"spec": {{{PodSpec}}} } } },
              "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1},
            "status": {"active": [{"kind": "Job", "namespace": "default", "name": "tick-29000000", "uid": "7a", "apiVersion": "batch/v1", "resourceVersion": "5"}],
              "lastScheduleTime": "2026-12-07T01:00:00Z", "lastSuccessfulTime": "2026-12-07T01:00:09Z"}}
            """,
        ["ConfigMap"] = $$$"""{"apiVersion": "v1", "kind": "ConfigMap", {{{Meta}}}, "data": {"app.properties": "a=b"}, "binaryData": {"logo": "AAEC"}, "immutable": true}""",
        ["Secret"] = $$$"""{"apiVersion": "v1", "kind": "Secret", {{{Meta}}}, "type": "kubernetes.io/tls", "data": {"tls.crt": "Y2VydA==", "tls.key": "a2V5"}, "immutable": true}""",
        ["PersistentVolumeClaim"] = $$$"""
            {"apiVersion": "v1", "kind": "PersistentVolumeClaim", {{{Meta}}},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "storageClassName": "local-path", "volumeName": "pvc-1", "volumeMode": "Filesystem"},
             "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"} } }
            """,
        ["PersistentVolume"] = $$$"""
            {"apiVersion": "v1", "kind": "PersistentVolume", {{{Meta}}},
             "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "local-path",
                      "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "data", "uid": "6f1c"}, "volumeMode": "Filesystem",
                      "hostPath": {"path": "/var/lib/granary/storage/pvc-1", "type": "DirectoryOrCreate"},
                      "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["n1"]}]}]} } },
             "status": {"phase": "Bound"}}
            """,
        ["StorageClass"] = $$$"""
            {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", {{{Meta}}}, "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
             "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": true, "parameters": {"a": "b"}}
            """,
        ["ControllerRevision"] = $$$"""
            {"apiVersion": "apps/v1", "kind": "ControllerRevision", {{{Meta}}}, "revision": 3,
             "data": {"spec": {"template": {"$patch": "replace", "metadata": {"labels": {"app": "web"} }, "spec": {{{PodSpec}}} } } } }
            """,
        ["DaemonSet"] = $$$"""
            {"apiVersion": "apps/v1", "kind": "DaemonSet", {{{Meta}}},
             "spec": {"selector": {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]},
                      "template": {"metadata": {"labels": {"app": "web"} }, "spec": {{{PodSpec}}} },
                      "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 0}}, "minReadySeconds": 5, "revisionHistoryLimit": 10},
             "status": {"currentNumberScheduled": 2, "numberMisscheduled": 1, "desiredNumberScheduled": 3, "numberReady": 2, "observedGeneration": 3,
                        "updatedNumberScheduled": 1, "numberAvailable": 2, "numberUnavailable": 1, "collisionCount": 1,
                        "conditions": [{"type": "X", "status": "True", "lastTransitionTime": "2026-12-07T01:02:03Z", "reason": "R", "message": "m"}]}}
            """,
        ["Scale"] = $$$"""{"apiVersion": "autoscaling/v1", "kind": "Scale", {{{Meta}}}, "spec": {"replicas": 4}, "status": {"replicas": 2, "selector": "app=web"}}""",
        ["Binding"] = $$$"""{"apiVersion": "v1", "kind": "Binding", {{{Meta}}}, "target": {"kind": "Node", "name": "n1"}}""",
        ["PodDisruptionBudget"] = $$$"""
            {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", {{{Meta}}},
             "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]},
                      "unhealthyPodEvictionPolicy": "AlwaysAllow"},
             "status": {"observedGeneration": 3, "disruptedPods": {"web-1": "2026-12-07T01:02:03Z"}, "disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2,
                        "expectedPods": 4, "conditions": [{"type": "DisruptionAllowed", "status": "True", "observedGeneration": 3, "lastTransitionTime": "2026-12-07T01:02:03Z",
                        "reason": "SufficientPods", "message": ""}]} }
            """,
        ["HorizontalPodAutoscaler"] = $$$"""
            {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", {{{Meta}}},
             "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"}, "minReplicas": 1, "maxReplicas": 5,
                      "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50} } }],
                      "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]} } },
             "status": {"observedGeneration": 2, "lastScaleTime": "2026-12-07T01:02:03Z", "currentReplicas": 2, "desiredReplicas": 3,
                        "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageValue": "300m", "averageUtilization": 75} } }],
                        "conditions": [{"type": "AbleToScale", "status": "True", "lastTransitionTime": "2026-12-07T01:02:03Z", "reason": "SucceededRescale", "message": "m"}]} }
            """,
        ["Eviction"] = $$$"""{"apiVersion": "policy/v1", "kind": "Eviction", {{{Meta}}}, "deleteOptions": {"gracePeriodSeconds": 30, "preconditions": {"uid": "6f1c"} } }""",
        ["DeleteOptions"] = """{"apiVersion": "meta.k8s.io/v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0, "preconditions": {"uid": "6f1c", "resourceVersion": "12"}, "propagationPolicy": "Foreground", "dryRun": ["All"]}""",
    };

    public static TheoryData<string> Kinds() => [.. Objects.Keys];

    [Fact]
    public void EveryServedKind_HasAnObjectHere()
    {
        Assert.All(ResourceKinds.All, kind => Assert.True(Objects.ContainsKey(kind.Kind), $"add an object of {kind.Kind} to RoundTripTests"));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Decode_OfTheEncodedObject_IsTheObject(string kind)
    {
        var json = JsonNode.Parse(Objects[kind])!.AsObject();
        var message = ProtoSchema.Kubernetes.ForKind((string)json["apiVersion"]!, kind)!;
        var encoded = new ProtoTestEncoder(ProtoSchema.Kubernetes).Encode(json, message.Name);

        var decoded = new ProtoDecoder(ProtoSchema.Kubernetes).Decode(encoded, message.Name);

        Assert.Empty(decoded.UnknownFields);
        decoded.Json["apiVersion"] = json["apiVersion"]!.DeepClone();
        decoded.Json["kind"] = kind;
        Assert.True(JsonNode.DeepEquals(json, decoded.Json), $"decoded {decoded.Json.ToJsonString()}\nexpected {json.ToJsonString()}");
    }
}
