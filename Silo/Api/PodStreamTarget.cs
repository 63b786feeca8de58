using Granary.Errors;
using Granary.Model;

namespace Granary.Silo.Api;

/// <summary>
/// Where a pods/exec or pods/attach goes: the pod's node and the container, found from the pod as kube-apiserver
/// finds them, with its wording when it cannot (the user's mistake, a 400, before any upgrade).
/// </summary>
internal sealed record PodStreamTarget(string Node, string Namespace, string Pod, string Container)
{
    public static PodStreamTarget Resolve(Pod pod, string? container)
    {
        var name = pod.Metadata.Name ?? "";
        var names = (pod.Spec.Containers ?? []).Select(c => c.Name).ToList();
        if (string.IsNullOrEmpty(container))
        {
            if (names.Count != 1)
                throw new BadRequestException($"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", names)}]");
            container = names[0];
        }
        // Init containers (sidecars included) can be exec'd into too, but are never the default.
        else if (!names.Contains(container) && !(pod.Spec.InitContainers ?? []).Any(c => c.Name == container))
        {
            throw new BadRequestException($"container {container} is not valid for pod {name}");
        }
        if (string.IsNullOrEmpty(pod.Spec.NodeName))
            throw new BadRequestException($"pod {name} does not have a host assigned");
        // What the node last reported: a container that has ended (or never started) has no process to reach. The
        // agent checks again, since this status may be a moment old.
        var statuses = (pod.Status?.ContainerStatuses ?? []).Concat(pod.Status?.InitContainerStatuses ?? []);
        if (pod.Status?.Phase is "Succeeded" or "Failed"
            || statuses.FirstOrDefault(s => s.Name == container) is { State.Running: null })
        {
            throw new BadRequestException($"container not found (\"{container}\"): container {container} of pod {name} is not running; see kubectl describe pod {name}");
        }
        return new PodStreamTarget(pod.Spec.NodeName, pod.Metadata.Namespace ?? "default", name, container);
    }

    /// <summary>The agent's path for this session (the query passes on unchanged: the agent reads the same options).</summary>
    public string AgentPath(bool attach, QueryString query) =>
        $"/{(attach ? "attach" : "exec")}/{Uri.EscapeDataString(Namespace)}/{Uri.EscapeDataString(Pod)}/{Uri.EscapeDataString(Container)}{query}";
}
