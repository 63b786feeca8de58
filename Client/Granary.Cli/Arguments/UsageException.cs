namespace Granary.Cli.Arguments;

/// <summary>The command line is wrong; the message says how, and the runner adds where to find the usage.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A command cannot go on for a reason on this side (a missing file, a namespace mismatch); printed as <c>error: …</c>.</summary>
internal sealed class CommandException(string message) : Exception(message);
