using System.Collections.Immutable;
using Granary.Cli.Arguments;
using Granary.Model;

namespace Granary.Cli.Commands;

/// <summary>One kind and the names asked for (none: every object of the kind).</summary>
internal sealed record ResourceTarget(ResourceKind Kind, ImmutableArray<string> Names);

/// <summary>Resolves kubectl's two ways of naming objects: <c>TYPE [NAME…]</c> and <c>TYPE/NAME…</c>.</summary>
internal static class ResourceArgs
{
    public static ImmutableArray<ResourceTarget> Resolve(ImmutableArray<string> args, string command)
    {
        if (args.IsEmpty)
            throw new UsageException($"You must specify the type of resource to {command}. Use \"granary {command} pods|nodes|namespaces\"");

        if (args.Any(a => a.Contains('/', StringComparison.Ordinal)))
        {
            if (!args.All(a => a.Contains('/', StringComparison.Ordinal)))
                throw new UsageException($"there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'granary {command} pod/web' instead of 'granary {command} pod pod/web')");
            var targets = new List<(ResourceKind Kind, List<string> Names)>();
            foreach (var arg in args)
            {
                var slash = arg.IndexOf('/', StringComparison.Ordinal);
                var kind = Kind(arg[..slash]);
                var name = arg[(slash + 1)..];
                if (name.Length == 0)
                    throw new UsageException($"arguments in resource/name form must have a single resource and name, not \"{arg}\"");
                var target = targets.FirstOrDefault(t => t.Kind == kind);
                if (target.Kind is null)
                    targets.Add((kind, [name]));
                else
                    target.Names.Add(name);
            }
            return [.. targets.Select(t => new ResourceTarget(t.Kind, [.. t.Names]))];
        }

        return [new ResourceTarget(Kind(args[0]), args.RemoveAt(0))];
    }

    /// <summary>The pod named by <c>NAME</c> or <c>pod/NAME</c>, for the commands that work in one pod's containers.</summary>
    /// <param name="action">What the command does, for the error when another kind is named: "get the logs of".</param>
    public static string PodName(string arg, string action)
    {
        var slash = arg.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
            return arg;
        var kind = Kind(arg[..slash]);
        var name = arg[(slash + 1)..];
        if (name.Length == 0)
            throw new UsageException($"arguments in resource/name form must have a single resource and name, not \"{arg}\"");
        if (kind != ResourceKinds.Pod)
            throw new CommandException($"cannot {action} {kind.Singular}/{name}: only pods have containers");
        return name;
    }

    public static ResourceKind Kind(string name) =>
        ResourceKinds.Find(name) ?? throw new CommandException($"the server doesn't have a resource type \"{name}\"");
}
