using Granary.Errors;
using Granary.Model;

namespace Granary.Cli.Commands;

/// <summary>Error lines as kubectl prints them, one line each, so scripts and people read them alike.</summary>
internal static class ErrorLines
{
    /// <summary><c>Error from server (Invalid): Pod "web" is invalid: …</c></summary>
    public static string FromServer(GranaryException e) => $"Error from server ({e.Reason}): {OneLine(e.Message)}";

    /// <summary>kubectl's NotFound names the resource type in the plural: <c>pods "web" not found</c>.</summary>
    public static string NotFound(ResourceKind kind, string name) => $"Error from server (NotFound): {kind.Plural} \"{name}\" not found";

    /// <summary>An error when working on one object, with the object named first: <c>error when applying pod/web: …</c>.</summary>
    public static string About(string action, string objectName, GranaryException e) =>
        $"Error from server ({e.Reason}): error when {action} {objectName}: {OneLine(e.Message)}";

    public static string Client(string message) => $"error: {OneLine(message)}";

    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
