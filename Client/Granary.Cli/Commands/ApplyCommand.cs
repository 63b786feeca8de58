using Granary.Api;
using Granary.Cli.Arguments;
using Granary.Cli.Output;
using Granary.Errors;

namespace Granary.Cli.Commands;

/// <summary>`granary apply -f`: create or update every object of the manifests, reporting each, going on past failures.</summary>
internal sealed class ApplyCommand : ICommand
{
    public string Name => "apply";

    public string Summary => "Create or update objects from manifest files";

    public string Usage => """
        Create or update the objects in manifests: YAML (several documents split by ---) or JSON,
        Lists included. Objects without a namespace go to -n (default "default").
        Every object is tried; the command fails (exit 1) if any of them failed.

        Usage:
          granary apply -f FILE|DIR|- [-f ...] [-n NS] [-o name]

        Examples:
          granary apply -f pod.yaml
          granary apply -f manifests/            every *.yaml, *.yml and *.json in the folder
          cat pod.yaml | granary apply -f -

        Flags:
          -f, --filename PATH      a file, a directory (not recursive) or - for standard input; repeatable
          -n, --namespace NS       the namespace for objects that name none
          -o, --output name        print only kind/name of each object
        """;

    public async Task<int> RunAsync(CommandContext context, CancellationToken ct)
    {
        var args = context.Args;
        if (args.Files.IsEmpty)
            throw new UsageException("must specify -f FILE, -f DIR or -f - (standard input)");
        if (!args.Args.IsEmpty)
            throw new UsageException($"unexpected arguments {string.Join(" ", args.Args)}: objects come from -f");
        if (args.Output is not (OutputFormat.Table or OutputFormat.Name))
            throw new UsageException("apply prints kind/name and what changed; only -o name is supported");

        return await ManifestInput.ForEachObjectAsync(context, "apply", async (cluster, _, resource, kind) =>
        {
            var name = ObjectPrinter.Name(resource);
            try
            {
                var (_, outcome) = await cluster.For(kind).ApplyAsync(resource, ct);
                context.Out.WriteLine(args.Output == OutputFormat.Name ? name : $"{name} {Outcome(outcome)}");
                return true;
            }
            catch (GranaryException e)
            {
                context.Error.WriteLine(ErrorLines.About("applying", name, e));
                return false;
            }
        }, ct);
    }

    private static string Outcome(ApplyOutcome outcome) => outcome switch
    {
        ApplyOutcome.Created => "created",
        ApplyOutcome.Configured => "configured",
        _ => "unchanged",
    };
}
