using Granary.Cli.Arguments;
using Granary.Cli.Output;
using Granary.Client;
using Granary.Model;

namespace Granary.Cli.Commands;

/// <summary>`granary describe`: the details of pods, nodes, namespaces, ConfigMaps and Secrets in kubectl's layout.</summary>
internal sealed class DescribeCommand : ICommand
{
    public string Name => "describe";

    public string Summary => "Show the details of objects";

    public string Usage => """
        Show the details of objects: a pod's containers, states, probes and conditions, and why it is not
        scheduled; a node's conditions, capacity, pods and allocated resources; a ConfigMap's data; a
        Secret's keys and their sizes (never the values).

        Usage:
          granary describe TYPE [NAME ...] [-n NS | -A] [-l SELECTOR]
          granary describe TYPE/NAME [TYPE/NAME ...]

        Without a name, every object of the type (in the namespace, or matching -l) is described.

        Examples:
          granary describe pod web
          granary describe node node-1
          granary describe pods -l app=web

        Flags:
          -n, --namespace NS       the namespace (default "default")
          -A, --all-namespaces     every namespace (without names)
          -l, --selector SELECTOR  describe what matches the label selector
        """;

    public async Task<int> RunAsync(CommandContext context, CancellationToken ct)
    {
        var args = context.Args;
        var targets = ResourceArgs.Resolve(args.Args, Name);
        var named = targets.Any(t => !t.Names.IsEmpty);
        if (named && args.Selector is not null)
            throw new UsageException("name cannot be provided when a selector is specified");

        await using var cluster = await context.ConnectAsync(ct);
        var failed = false;
        var described = 0;
        foreach (var target in targets)
        {
            var client = cluster.For(target.Kind);
            var objects = new List<IResource>();
            if (target.Names.IsEmpty)
            {
                objects.AddRange((await Listing.ListAllAsync(client, new ListOptions { Namespace = Listing.NamespaceFor(target.Kind, args), LabelSelector = args.Selector }, ct)).Items);
            }
            var (byName, missing) = await Listing.GetNamedAsync(client, target.Kind, args, target.Names, context.Error, ct);
            objects.AddRange(byName);
            failed |= missing;
            foreach (var resource in objects)
            {
                var text = await DescribeAsync(cluster, resource, context.Now, ct);
                // kubectl sets descriptions apart by two blank lines.
                context.Out.Write(described++ == 0 ? text : "\n\n" + text);
            }
        }
        if (described == 0 && !named)
            context.Error.WriteLine(Listing.NothingFound(targets[0].Kind, args));
        return failed ? 1 : 0;
    }

    /// <summary>The object's events, found as kubectl finds them: by name, namespace and uid ("default" for cluster-scoped objects).</summary>
    private static async Task<IReadOnlyList<Event>> EventsOfAsync(IClusterApi cluster, IResource resource, CancellationToken ct)
    {
        var options = new ListOptions
        {
            Namespace = resource.Metadata.Namespace ?? "default",
            FieldSelector = EventsDescriber.SelectorFor(resource),
        };
        var (events, _) = await Listing.ListAllAsync(cluster.For(ResourceKinds.Event), options, ct);
        return [.. events.OfType<Event>()];
    }

    private static async Task<string> DescribeAsync(IClusterApi cluster, IResource resource, DateTimeOffset now, CancellationToken ct)
    {
        switch (resource)
        {
            case Pod pod:
                return PodDescriber.Describe(pod, await EventsOfAsync(cluster, pod, ct), now);
            case Node node:
                var onNode = new ListOptions
                {
                    FieldSelector = $"spec.nodeName={node.Metadata.Name},status.phase!=Succeeded,status.phase!=Failed",
                };
                var (pods, _) = await Listing.ListAllAsync(cluster.For(ResourceKinds.Pod), onNode, ct);
                return NodeDescriber.Describe(node, [.. pods.OfType<Pod>()], await EventsOfAsync(cluster, node, ct), now);
            case Namespace ns:
                return NamespaceDescriber.Describe(ns, now);
            case ConfigMap configMap:
                return ConfigMapDescriber.Describe(configMap, await EventsOfAsync(cluster, configMap, ct), now);
            case Secret secret:
                return SecretDescriber.Describe(secret, now);
            default:
                throw new CommandException($"describe does not know kind {resource.Kind}");
        }
    }
}
