using Granary.Cli.Arguments;
using Granary.Client.Manifests;
using Granary.Errors;
using Granary.Model;

namespace Granary.Cli.Commands;

/// <summary>What apply and delete -f share: reading the -f paths and settling each object's namespace.</summary>
internal static class ManifestInput
{
    /// <summary>Every document of the -f paths; a path that does not exist stops the command before anything is done.</summary>
    public static IReadOnlyList<ManifestDocument> Read(CliArguments args, TextReader stdin)
    {
        try
        {
            return ManifestReader.ReadDocuments(args.Files, stdin);
        }
        catch (BadRequestException e)
        {
            throw new CommandException(e.Message);
        }
    }

    /// <summary>
    /// The object to send, with the -n (or default) namespace when a namespaced object names none; null when
    /// the document could not be read, has no name, or names another namespace than an explicit -n.
    /// </summary>
    public static IResource? Prepare(ManifestDocument document, CliArguments args)
    {
        if (document.Resource is not { } resource || string.IsNullOrEmpty(resource.Metadata.Name))
            return null;
        var kind = ResourceKinds.Find(resource.Kind)!;
        if (!kind.Namespaced)
            return resource;
        var own = resource.Metadata.Namespace;
        if (string.IsNullOrEmpty(own))
            return resource.WithMetadata(resource.Metadata with { Namespace = args.EffectiveNamespace });
        return args.Namespace is null || args.Namespace == own ? resource : null;
    }

    /// <summary>Why <see cref="Prepare"/> gave nothing, as one line.</summary>
    public static string Problem(ManifestDocument document, CliArguments args)
    {
        if (document.Error is { } error)
            return error.Message;
        var resource = document.Resource!;
        if (string.IsNullOrEmpty(resource.Metadata.Name))
            return $"{document.Location}: metadata.name: Required value";
        return $"the namespace from the provided object \"{resource.Metadata.Namespace}\" does not match the namespace \"{args.Namespace}\". "
            + $"You must pass '--namespace={resource.Metadata.Namespace}' to perform this operation.";
    }

    /// <summary>
    /// Reads the manifests, connects, and runs <paramref name="act"/> for every usable object; a document that cannot be
    /// used is reported and the rest still run (as kubectl does). Returns the exit code: 1 when anything failed.
    /// </summary>
    public static async Task<int> ForEachObjectAsync(CommandContext context, string verb,
        Func<IClusterApi, ManifestDocument, IResource, ResourceKind, Task<bool>> act, CancellationToken ct)
    {
        var documents = Read(context.Args, context.Stdin);
        if (documents.Count == 0)
            throw new CommandException($"no objects passed to {verb}");

        await using var cluster = await context.ConnectAsync(ct);
        var failed = false;
        foreach (var document in documents)
        {
            if (Prepare(document, context.Args) is not { } resource)
            {
                context.Error.WriteLine(ErrorLines.Client(Problem(document, context.Args)));
                failed = true;
                continue;
            }
            failed |= !await act(cluster, document, resource, ResourceKinds.Find(resource.Kind)!);
        }
        return failed ? 1 : 0;
    }
}
