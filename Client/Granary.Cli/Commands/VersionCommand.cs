using System.Reflection;

namespace Granary.Cli.Commands;

/// <summary>`granary version`: the client's version, without contacting the cluster.</summary>
internal sealed class VersionCommand : ICommand
{
    public string Name => "version";

    public string Summary => "Print the client version";

    public string Usage => """
        Print the version of this granary client.

        Usage:
          granary version
        """;

    public static string Version =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public Task<int> RunAsync(CommandContext context, CancellationToken ct)
    {
        context.Out.WriteLine($"Client Version: {Version}");
        return Task.FromResult(0);
    }
}
