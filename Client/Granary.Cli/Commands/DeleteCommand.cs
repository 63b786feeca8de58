using Granary.Api;
using Granary.Cli.Arguments;
using Granary.Cli.Output;
using Granary.Client;
using Granary.Errors;

namespace Granary.Cli.Commands;

/// <summary>`granary delete`: by name, by label selector, or every object of manifests.</summary>
internal sealed class DeleteCommand : ICommand
{
    public string Name => "delete";

    public string Summary => "Delete objects by name, selector or manifest";

    public string Usage => """
        Delete objects by name, by label selector, or those named in manifests. A pod is stopped first and goes
        when its node has stopped it (or at once with --grace-period 0).

        Usage:
          granary delete TYPE NAME [NAME ...] [-n NS] [--grace-period N]
          granary delete TYPE/NAME [TYPE/NAME ...]
          granary delete TYPE -l SELECTOR [-n NS | -A]
          granary delete -f FILE|DIR|-

        Examples:
          granary delete pod web
          granary delete pods -l app=web
          granary delete -f pod.yaml

        Flags:
          -n, --namespace NS       the namespace (default "default")
          -A, --all-namespaces     with -l: match in every namespace
          -l, --selector SELECTOR  delete what matches the label selector
          -f, --filename PATH      delete the objects of these manifests; repeatable
          --grace-period N         seconds the pod gets to stop (0: at once; negative: the pod's own)
        """;

    public async Task<int> RunAsync(CommandContext context, CancellationToken ct)
    {
        var args = context.Args;
        var options = new DeleteOptions { GracePeriodSeconds = args.GracePeriod };
        if (!args.Files.IsEmpty)
        {
            if (!args.Args.IsEmpty)
                throw new UsageException("give either -f or TYPE NAME, not both");
            return await DeleteManifestsAsync(context, options, ct);
        }

        var targets = ResourceArgs.Resolve(args.Args, Name);
        var named = targets.Any(t => !t.Names.IsEmpty);
        if (named && args.Selector is not null)
            throw new UsageException("name cannot be provided when a selector is specified");
        if (!named && args.Selector is null)
            throw new UsageException("resource(s) were provided, but no name was specified (give NAME or -l SELECTOR)");

        await using var cluster = await context.ConnectAsync(ct);
        var failed = false;
        foreach (var target in targets)
        {
            var client = cluster.For(target.Kind);
            var objects = target.Names.IsEmpty
                ? (await Listing.ListAllAsync(client, new ListOptions { Namespace = Listing.NamespaceFor(target.Kind, args), LabelSelector = args.Selector }, ct)).Items
                    .Select(r => (r.Metadata.Namespace, Name: r.Metadata.Name ?? "")).ToList()
                : [.. target.Names.Select(n => (Namespace: Listing.NamespaceFor(target.Kind, args), Name: n))];
            if (objects.Count == 0)
                context.Error.WriteLine(Listing.NothingFound(target.Kind, args));
            foreach (var (ns, name) in objects)
            {
                try
                {
                    await client.DeleteAsync(ns, name, options, ct);
                    context.Out.WriteLine($"{target.Kind.Singular} \"{name}\" deleted");
                }
                catch (NotFoundException)
                {
                    context.Error.WriteLine(ErrorLines.NotFound(target.Kind, name));
                    failed = true;
                }
                catch (GranaryException e)
                {
                    context.Error.WriteLine(ErrorLines.About("deleting", $"{target.Kind.Singular}/{name}", e));
                    failed = true;
                }
            }
        }
        return failed ? 1 : 0;
    }

    private static async Task<int> DeleteManifestsAsync(CommandContext context, DeleteOptions options, CancellationToken ct)
    {
        return await ManifestInput.ForEachObjectAsync(context, "delete", async (cluster, document, resource, kind) =>
        {
            var name = resource.Metadata.Name!;
            try
            {
                await cluster.For(kind).DeleteAsync(resource.Metadata.Namespace, name, options, ct);
                context.Out.WriteLine($"{kind.Singular} \"{name}\" deleted");
                return true;
            }
            catch (NotFoundException)
            {
                context.Error.WriteLine($"Error from server (NotFound): error when deleting \"{document.Source}\": {kind.Plural} \"{name}\" not found");
                return false;
            }
            catch (GranaryException e)
            {
                context.Error.WriteLine(ErrorLines.About("deleting", ObjectPrinter.Name(resource), e));
                return false;
            }
        }, ct);
    }
}
