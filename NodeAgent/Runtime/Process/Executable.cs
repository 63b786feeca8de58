namespace Granary.NodeAgent.Runtime.Process;

/// <summary>Finds a command the way the shell's exec will, so a missing one fails the start with a clear error.</summary>
internal static class Executable
{
    public static string? Resolve(string command, string? path, string workingDir)
    {
        if (command.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.Combine(workingDir, command);
            return File.Exists(full) ? full : null;
        }
        return (path ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);
    }
}
