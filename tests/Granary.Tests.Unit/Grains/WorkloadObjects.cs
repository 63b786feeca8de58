using System.Collections.Immutable;
using Granary.Client;
using Granary.Errors;
using Granary.Grains.Workloads;
using Granary.Model;

namespace Granary.Tests.Unit.Grains;

/// <summary>Deployments, ReplicaSets and a stand-in for the node agent that makes their pods Ready.</summary>
public static class WorkloadObjects
{
    public static PodTemplateSpec Template(string app, string image) => new()
    {
        Metadata = new ObjectMeta { Labels = Objects.Labels(("app", app)) },
        Spec = new PodSpec
        {
            // No scheduler binds these pods: the test plays the node agent and writes their status itself.
            SchedulerName = Objects.NotScheduled,
            Containers = [new Container { Name = "main", Image = image, Command = ["sleep", "3600"] }],
        },
    };

    public static LabelSelectorSpec Selector(string app) => new() { MatchLabels = Objects.Labels(("app", app)) };

    public static ReplicaSet ReplicaSet(string ns, string name, int replicas, string app = "web", string image = "local/web:1") => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new ReplicaSetSpec { Replicas = replicas, Selector = Selector(app), Template = Template(app, image) },
    };

    public static Deployment Deployment(string ns, string name, int replicas, string image = "local/web:1", string app = "web",
        IntOrString? maxSurge = null, IntOrString? maxUnavailable = null, string strategy = "RollingUpdate") => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new DeploymentSpec
        {
            Replicas = replicas,
            Selector = Selector(app),
            Template = Template(app, image),
            Strategy = strategy == "Recreate"
                ? new DeploymentStrategy { Type = "Recreate" }
                : new DeploymentStrategy { Type = strategy, RollingUpdate = new RollingUpdateDeployment { MaxSurge = maxSurge, MaxUnavailable = maxUnavailable } },
        },
    };

    public static async Task<string> NamespaceAsync(GranaryClient client, string prefix)
    {
        var name = Unique.Name(prefix);
        await client.Namespaces.CreateAsync(Objects.Namespace(name));
        return name;
    }

    public static async Task<List<Pod>> ActivePodsAsync(GranaryClient client, string ns) =>
        [.. (await client.Pods.ListAsync(new ListOptions { Namespace = ns })).Items.Where(PodReadiness.IsActive)];

    /// <summary>Writes Running + Ready for every active pod not yet ready, as an agent reports a started container.</summary>
    public static async Task<int> MakePodsReadyAsync(GranaryClient client, string ns)
    {
        var made = 0;
        foreach (var pod in await ActivePodsAsync(client, ns))
        {
            if (PodReadiness.IsReady(pod))
                continue;
            var now = DateTimeOffset.UtcNow;
            try
            {
                await client.Pods.UpdateStatusAsync(pod with
                {
                    Status = new PodStatus
                    {
                        Phase = "Running",
                        StartTime = now,
                        Conditions = [new PodCondition { Type = "Ready", Status = "True", LastTransitionTime = now }],
                    },
                });
                made++;
            }
            catch (GranaryException e) when (e is NotFoundException or ConflictException)
            {
                // Deleted or rewritten meanwhile: the next round sees it again.
            }
        }
        return made;
    }

    public static ImmutableSortedDictionary<string, string> Labels(params (string Key, string Value)[] labels) => Objects.Labels(labels);
}
