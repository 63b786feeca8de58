namespace Granary.Cli.Commands;

/// <summary>One `granary` command. Returns the exit code; errors that end it are thrown and printed by the runner.</summary>
internal interface ICommand
{
    string Name { get; }

    /// <summary>One line for the command list.</summary>
    string Summary { get; }

    /// <summary>The full help: usage, examples and the flags the command reads.</summary>
    string Usage { get; }

    Task<int> RunAsync(CommandContext context, CancellationToken ct);
}
