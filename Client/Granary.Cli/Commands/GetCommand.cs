using System.Collections.Immutable;
using Granary.Cli.Arguments;
using Granary.Cli.Output;
using Granary.Client;
using Granary.Errors;
using Granary.Model;

namespace Granary.Cli.Commands;

/// <summary>`granary get`: tables, -o json|yaml|name|wide, and -w to follow changes.</summary>
internal sealed class GetCommand : ICommand
{
    public string Name => "get";

    public string Summary => "List objects, or watch them change";

    public string Usage => """
        List objects of one kind in a table, or print them as JSON, YAML or names.

        Usage:
          granary get TYPE [NAME ...] [-n NS | -A] [-l SELECTOR] [-o wide|json|yaml|name] [-w]
          granary get TYPE/NAME [TYPE/NAME ...] [-o ...]

        TYPE is pods (po, pod), nodes (no, node) or namespaces (ns, namespace).

        Examples:
          granary get pods                       pods in the default namespace
          granary get pods -A -o wide            pods in every namespace, with IP and node
          granary get pod web -o yaml            one pod as YAML
          granary get pods -l app=web -w         list, then print a row for every change (Ctrl-C ends)
          granary get nodes

        Flags:
          -n, --namespace NS       the namespace (default "default")
          -A, --all-namespaces     every namespace; adds a NAMESPACE column
          -l, --selector SELECTOR  label selector, e.g. app=web,tier!=db
          -o, --output FORMAT      wide, json, yaml or name
          -w, --watch              after listing, print every change until interrupted
        """;

    public async Task<int> RunAsync(CommandContext context, CancellationToken ct)
    {
        var args = context.Args;
        var targets = ResourceArgs.Resolve(args.Args, Name);
        var named = targets.Any(t => !t.Names.IsEmpty);
        if (named && args.Selector is not null)
            throw new UsageException("name cannot be provided when a selector is specified");
        if (named && args.AllNamespaces)
            throw new UsageException("a resource cannot be retrieved by name across all namespaces");
        if (args.Watch && (targets.Length != 1 || targets[0].Names.Length > 1))
            throw new UsageException($"watch is only supported on individual resources and resource collections, but {targets.Sum(t => Math.Max(1, t.Names.Length))} resources were found");

        await using var cluster = await context.ConnectAsync(ct);
        if (args.Watch)
            return await WatchAsync(context, cluster.For(targets[0].Kind), targets[0].Names.FirstOrDefault(), ct);

        var failed = false;
        var results = new List<(ResourceKind Kind, ImmutableArray<IResource> Items)>();
        foreach (var target in targets)
        {
            var client = cluster.For(target.Kind);
            if (target.Names.IsEmpty)
            {
                var (items, _) = await Listing.ListAllAsync(client, ListOptionsFor(target.Kind, args, null), ct);
                results.Add((target.Kind, items));
                continue;
            }
            var (found, missing) = await Listing.GetNamedAsync(client, target.Kind, args, target.Names, context.Error, ct);
            failed |= missing;
            results.Add((target.Kind, [.. found]));
        }

        Print(context, targets, results);
        return failed ? 1 : 0;
    }

    private static void Print(CommandContext context, ImmutableArray<ResourceTarget> targets, List<(ResourceKind Kind, ImmutableArray<IResource> Items)> results)
    {
        var args = context.Args;
        var all = results.SelectMany(r => r.Items).ToList();
        var single = targets is [{ Names: [_] }];
        switch (args.Output)
        {
            case OutputFormat.Json:
                if (single && all.Count == 0)
                    return;
                context.Out.Write(single ? ObjectPrinter.Json(all[0]) : ObjectPrinter.JsonList(all));
                return;
            case OutputFormat.Yaml:
                if (single && all.Count == 0)
                    return;
                context.Out.Write(single ? ObjectPrinter.Yaml(all[0]) : ObjectPrinter.YamlList(all));
                return;
            case OutputFormat.Name:
                foreach (var item in all)
                    context.Out.WriteLine(ObjectPrinter.Name(item));
                break;
            default:
                var first = true;
                foreach (var (kind, items) in results.Where(r => !r.Items.IsEmpty))
                {
                    // Tables of different kinds are set apart by a blank line, as kubectl does.
                    if (!first)
                        context.Out.WriteLine();
                    first = false;
                    context.Out.Write(ResourceTables.Render(kind, items, TableOptionsFor(kind, args), context.Now));
                }
                break;
        }
        if (all.Count == 0 && targets.All(t => t.Names.IsEmpty))
            context.Error.WriteLine(Listing.NothingFound(targets[0].Kind, args));
    }

    /// <summary>Lists, prints, then prints each change after the list's version until cancelled (exit 0).</summary>
    private static async Task<int> WatchAsync(CommandContext context, IResourceClient client, string? name, CancellationToken ct)
    {
        var args = context.Args;
        var kind = client.Kind;
        var options = ListOptionsFor(kind, args, name);
        var printer = new WatchPrinter(context, kind);
        try
        {
            var (items, version) = await Listing.ListAllAsync(client, options, ct);
            if (name is not null && items.IsEmpty)
            {
                context.Error.WriteLine(ErrorLines.NotFound(kind, name));
                return 1;
            }
            if (items.IsEmpty)
                context.Error.WriteLine(Listing.NothingFound(kind, args));
            printer.Start(items);

            while (true)
            {
                try
                {
                    var watch = new WatchOptions { Namespace = options.Namespace, LabelSelector = options.LabelSelector, FieldSelector = options.FieldSelector, ResourceVersion = version };
                    await foreach (var e in client.WatchAsync(watch, ct))
                        printer.Print(e.Object);
                    return 0;
                }
                catch (ExpiredException)
                {
                    // The history moved past our version (a long pause): list again and go on from there.
                    (items, version) = await Listing.ListAllAsync(client, options, ct);
                    foreach (var item in items)
                        printer.Print(item);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }
    }

    private static ListOptions ListOptionsFor(ResourceKind kind, CliArguments args, string? name) => new()
    {
        Namespace = Listing.NamespaceFor(kind, args),
        LabelSelector = args.Selector,
        FieldSelector = name is null ? null : $"metadata.name={name}",
    };

    internal static TableOptions TableOptionsFor(ResourceKind kind, CliArguments args) =>
        new(Wide: args.Output == OutputFormat.Wide, WithNamespace: args.AllNamespaces && kind.Namespaced);

    /// <summary>Prints watched objects one at a time in the chosen format; table rows keep the header's columns.</summary>
    private sealed class WatchPrinter(CommandContext context, ResourceKind kind)
    {
        private readonly ResourceTable _table = new(kind, TableOptionsFor(kind, context.Args));
        private TablePrinter? _rows;
        private int _printed;

        public void Start(ImmutableArray<IResource> items)
        {
            if (context.Args.Output is OutputFormat.Table or OutputFormat.Wide)
            {
                var header = _table.Header();
                var rows = items.Select(i => _table.Row(i, context.Now)).ToList();
                _rows = new TablePrinter(rows.Prepend(header));
                context.Out.Write(_rows.Format(header));
                foreach (var row in rows)
                    context.Out.Write(_rows.Format(row));
                return;
            }
            foreach (var item in items)
                Print(item);
        }

        public void Print(IResource item)
        {
            switch (context.Args.Output)
            {
                case OutputFormat.Json:
                    context.Out.Write(ObjectPrinter.Json(item));
                    break;
                case OutputFormat.Yaml:
                    // Documents in one stream, as kubectl separates them.
                    if (_printed > 0)
                        context.Out.WriteLine("---");
                    context.Out.Write(ObjectPrinter.Yaml(item));
                    break;
                case OutputFormat.Name:
                    context.Out.WriteLine(ObjectPrinter.Name(item));
                    break;
                default:
                    context.Out.Write(_rows!.Format(_table.Row(item, context.Now)));
                    break;
            }
            _printed++;
        }
    }
}
