using Granary.Cli.Output;
using Granary.Model;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Cli;

public class DescriberTests
{
    private static Pod RunningPod()
    {
        var pod = Pod("web", node: "node-1", status: new PodStatus
        {
            Phase = "Running",
            HostIP = "127.0.0.11",
            PodIP = "127.1.0.5",
            StartTime = Now - TimeSpan.FromMinutes(5),
            Conditions = [new PodCondition { Type = "PodScheduled", Status = "True" }, new PodCondition { Type = "Ready", Status = "True" }],
            ContainerStatuses = [Running("web", restarts: 1) with { ContainerID = "docker://abc", ImageID = "sha256:1", LastState = new ContainerState { Terminated = new ContainerStateTerminated { ExitCode = 1, Reason = "Error", StartedAt = Now - TimeSpan.FromMinutes(5), FinishedAt = Now - TimeSpan.FromMinutes(4) } } }],
        });
        return pod with
        {
            Metadata = pod.Metadata with { Labels = Map(("app", "web"), ("tier", "front")), Annotations = Map(("note", "hello")) },
            Spec = pod.Spec with
            {
                NodeSelector = Map(("disk", "ssd")),
                Tolerations = [new Toleration { Key = "dedicated", Operator = "Equal", Value = "web", Effect = "NoSchedule" }, new Toleration { Operator = "Exists" }, new Toleration { Key = "node.kubernetes.io/unreachable", Operator = "Exists", Effect = "NoExecute", TolerationSeconds = 300 }],
                Containers = [new Container
                {
                    Name = "web", Image = "nginx:1.25", Command = ["sh", "-c"], Args = ["echo hi\nsleep 1"],
                    Ports = [new ContainerPort { Number = 80 }],
                    Resources = new ResourceRequirements { Limits = Resources(("cpu", "500m"), ("memory", "128Mi")), Requests = Resources(("cpu", "250m"), ("memory", "64Mi")) },
                    LivenessProbe = new Probe { HttpGet = new HttpGetAction { Path = "/healthz", Port = 8080 } },
                    ReadinessProbe = new Probe { Exec = new ExecAction { Command = ["cat", "/tmp/ready"] }, PeriodSeconds = 5, InitialDelaySeconds = 2 },
                    StartupProbe = new Probe { TcpSocket = new TcpSocketAction { Port = "http" } },
                    Env = [new EnvVar { Name = "MODE", Value = "prod" }, new EnvVar { Name = "POD_IP", ValueFrom = new EnvVarSource { FieldRef = new ObjectFieldSelector { FieldPath = "status.podIP" } } }],
                }],
            },
        };
    }

    private static Pod PendingPod() =>
        Pod("queued", status: new PodStatus { Phase = "Pending", Conditions = [new PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = "0/3 nodes are available: 3 Insufficient cpu." }] });

    private static Node WorkerNode()
    {
        var node = Node("node-1", labels: Map(("kubernetes.io/hostname", "node-1"), ("node-role.kubernetes.io/worker", "")));
        return node with
        {
            Spec = node.Spec with { Taints = [new Taint { Key = "dedicated", Value = "web", Effect = "NoSchedule" }, new Taint { Key = "gpu", Effect = "NoExecute" }] },
            Status = node.Status! with
            {
                Capacity = Resources(("cpu", "4"), ("memory", "8Gi"), ("pods", "110")),
                Allocatable = Resources(("cpu", "2"), ("memory", "4Gi"), ("pods", "110")),
                Conditions = [new NodeCondition { Type = "Ready", Status = "True", Reason = "AgentReady", Message = "agent is posting ready status", LastHeartbeatTime = Now - TimeSpan.FromSeconds(5), LastTransitionTime = Now - TimeSpan.FromDays(3) }],
                NodeInfo = node.Status.NodeInfo! with { MachineID = "m-1", OperatingSystem = "linux", Architecture = "amd64" },
            },
        };
    }

    [Fact]
    public void DescribePod_Running_PrintsKubectlLayout()
    {
        Assert.Equal(
            """
            Name:         web
            Namespace:    default
            Node:         node-1/127.0.0.11
            Start Time:   Fri, 01 Mar 2024 11:55:00 +0000
            Labels:       app=web
                          tier=front
            Annotations:  note: hello
            Status:       Running
            IP:           127.1.0.5
            Containers:
              web:
                Container ID:  docker://abc
                Image:         nginx:1.25
                Image ID:      sha256:1
                Port:          80/TCP
                Host Port:     0/TCP
                Command:
                  sh
                  -c
                Args:
                  echo hi
                  sleep 1
                State:          Running
                  Started:      Fri, 01 Mar 2024 11:56:00 +0000
                Last State:     Terminated
                  Reason:       Error
                  Exit Code:    1
                  Started:      Fri, 01 Mar 2024 11:55:00 +0000
                  Finished:     Fri, 01 Mar 2024 11:56:00 +0000
                Ready:          True
                Restart Count:  1
                Limits:
                  cpu:     500m
                  memory:  128Mi
                Requests:
                  cpu:      250m
                  memory:   64Mi
                Liveness:   http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3
                Readiness:  exec [cat /tmp/ready] delay=2s timeout=1s period=5s #success=1 #failure=3
                Startup:    tcp-socket :http delay=0s timeout=1s period=10s #success=1 #failure=3
                Environment:
                  MODE:    prod
                  POD_IP:  127.1.0.5 (v1:status.podIP)
            Conditions:
              Type           Status
              PodScheduled   True
              Ready          True
            QoS Class:       Burstable
            Node-Selectors:  disk=ssd
            Tolerations:     op=Exists
                             dedicated=web:NoSchedule
                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
            Events:          <none>

            """.ReplaceLineEndings("\n"),
            PodDescriber.Describe(RunningPod(), [], Now));
    }

    [Fact]
    public void DescribePod_Unschedulable_ShowsTheSchedulersMessageAsFailedScheduling()
    {
        string[] expected =
        [
            "Name:         queued",
            "Namespace:    default",
            "Node:         <none>",
            "Labels:       <none>",
            "Annotations:  <none>",
            "Status:       Pending",
            "IP:           ",
            "Containers:",
            "  c0:",
            "    Image:        busybox",
            "    Port:         <none>",
            "    Host Port:    <none>",
            "    Environment:  <none>",
            "Conditions:",
            "  Type           Status",
            "  PodScheduled   False",
            "QoS Class:       BestEffort",
            "Node-Selectors:  <none>",
            "Tolerations:     <none>",
            "Events:",
            "  Type     Reason            Age        From               Message",
            "  ----     ------            ----       ----               -------",
            "  Warning  FailedScheduling  <unknown>  default-scheduler  0/3 nodes are available: 3 Insufficient cpu.",
            "",
        ];

        Assert.Equal(string.Join("\n", expected), PodDescriber.Describe(PendingPod(), [], Now));
    }

    [Fact]
    public void DescribePod_WithEvents_PrintsThemOldestFirst_WithRepeatsAsCountOverAge()
    {
        var pod = RunningPod();
        Event Recorded(string type, string reason, string message, TimeSpan first, TimeSpan last, int count, string from) => new()
        {
            InvolvedObject = ObjectReference.To(pod),
            Type = type,
            Reason = reason,
            Message = message,
            FirstTimestamp = Now - first,
            LastTimestamp = Now - last,
            Count = count,
            Source = new EventSource { Component = from },
        };
        Event[] events =
        [
            Recorded("Warning", "BackOff", "Back-off restarting failed container web", TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(20), 3, "granary-agent"),
            Recorded("Normal", "Scheduled", "Successfully assigned default/web-1 to node-1", TimeSpan.FromMinutes(6), TimeSpan.FromMinutes(6), 1, "default-scheduler"),
        ];

        var text = PodDescriber.Describe(pod, events, Now);

        Assert.EndsWith(string.Join("\n",
            "Events:",
            "  Type     Reason     Age               From               Message",
            "  ----     ------     ----              ----               -------",
            "  Normal   Scheduled  6m                default-scheduler  Successfully assigned default/web-1 to node-1",
            "  Warning  BackOff    20s (x3 over 5m)  granary-agent      Back-off restarting failed container web",
            ""), text, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeNode_WithPods_PrintsConditionsCapacityAndAllocatedResources()
    {
        Assert.Equal(
            """
            Name:               node-1
            Roles:              worker
            Labels:             kubernetes.io/hostname=node-1
                                node-role.kubernetes.io/worker=
            Annotations:        <none>
            CreationTimestamp:  Tue, 27 Feb 2024 12:00:00 +0000
            Taints:             dedicated=web:NoSchedule
                                gpu:NoExecute
            Unschedulable:      false
            Conditions:
              Type   Status  LastHeartbeatTime                LastTransitionTime               Reason      Message
              ----   ------  -----------------                ------------------               ------      -------
              Ready  True    Fri, 01 Mar 2024 11:59:55 +0000  Tue, 27 Feb 2024 12:00:00 +0000  AgentReady  agent is posting ready status
            Addresses:
              InternalIP:  127.0.0.11
              Hostname:    node-1
            Capacity:
              cpu:     4
              memory:  8Gi
              pods:    110
            Allocatable:
              cpu:     2
              memory:  4Gi
              pods:    110
            System Info:
              Machine ID:                 m-1
              Kernel Version:             6.1.0
              OS Image:                   Debian GNU/Linux 12
              Operating System:           linux
              Architecture:               amd64
              Container Runtime Version:  docker://24.0.5
              Kubelet Version:            v1.30.0-granary
            Non-terminated Pods:          (2 in total)
              Namespace                   Name      CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
              ---------                   ----      ------------  ----------  ---------------  -------------  ---
              default                     queued    0 (0%)        0 (0%)      0 (0%)           0 (0%)         5m
              default                     web       250m (12%)    500m (25%)  64Mi (1%)        128Mi (3%)     5m
            Allocated resources:
              (Total limits may be over 100 percent, i.e., overcommitted.)
              Resource  Requests    Limits
              --------  --------    ------
              cpu       250m (12%)  500m (25%)
              memory    64Mi (1%)   128Mi (3%)
            Events:     <none>

            """.ReplaceLineEndings("\n"),
            NodeDescriber.Describe(WorkerNode(), [RunningPod(), PendingPod()], [], Now));
    }

    [Fact]
    public void DescribeNamespace_PrintsNameLabelsAndStatus()
    {
        Assert.Equal(
            """
            Name:         team-a
            Labels:       <none>
            Annotations:  <none>
            Status:       Active

            """.ReplaceLineEndings("\n"),
            NamespaceDescriber.Describe(Namespace("team-a"), Now));
    }
}
