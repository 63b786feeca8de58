using Granary.Errors;
using System.Collections.Immutable;
using Granary.Cli.Arguments;
using Granary.Client;
using Granary.Model;

namespace Granary.Cli.Commands;

/// <summary>Lists as the commands need them: every page, sorted by namespace and name, with the version to watch from.</summary>
internal static class Listing
{
    public static async Task<(ImmutableArray<IResource> Items, string ResourceVersion)> ListAllAsync(
        IResourceClient client, ListOptions options, CancellationToken ct)
    {
        var first = await client.ListAsync(options, ct);
        var items = first.Items.ToBuilder();
        var next = first.Continue;
        while (!string.IsNullOrEmpty(next))
        {
            var page = await client.ListAsync(options with { Continue = next }, ct);
            items.AddRange(page.Items);
            next = page.Continue;
        }
        // The first page's version: a watch from it sees every change after the snapshot the pages come from.
        return ([.. Sorted(items)], first.ResourceVersion);
    }

    public static IEnumerable<IResource> Sorted(IEnumerable<IResource> items) =>
        items.OrderBy(r => r.Metadata.Namespace ?? "", StringComparer.Ordinal).ThenBy(r => r.Metadata.Name ?? "", StringComparer.Ordinal);

    /// <summary>The namespace to list in: the -n namespace, or all with -A; null (all) for cluster-scoped kinds.</summary>
    public static string? NamespaceFor(ResourceKind kind, CliArguments args) =>
        kind.Namespaced && !args.AllNamespaces ? args.EffectiveNamespace : null;

    /// <summary>kubectl's message when nothing matched: which namespace was looked in, when that means anything.</summary>
    public static string NothingFound(ResourceKind kind, CliArguments args) =>
        NamespaceFor(kind, args) is { } ns ? $"No resources found in {ns} namespace." : "No resources found";

    /// <summary>Gets the named objects; each missing one is reported as kubectl does. Returns what was found and whether any was missing.</summary>
    public static async Task<(List<IResource> Found, bool Missing)> GetNamedAsync(IResourceClient client, ResourceKind kind, CliArguments args,
        IEnumerable<string> names, TextWriter error, CancellationToken ct)
    {
        var found = new List<IResource>();
        var missing = false;
        foreach (var name in names)
        {
            try
            {
                found.Add(await client.GetAsync(NamespaceFor(kind, args), name, ct));
            }
            catch (NotFoundException)
            {
                error.WriteLine(ErrorLines.NotFound(kind, name));
                missing = true;
            }
        }
        return (found, missing);
    }
}
