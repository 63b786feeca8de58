using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Storage;

/// <summary>The store's refusals, worded as the API reports them.</summary>
internal static class StoreErrors
{
    public static string NameOf(string key) => key[(key.LastIndexOf('/') + 1)..];

    public static AlreadyExistsException AlreadyExists(ResourceKind kind, string key) => new(kind.Plural, NameOf(key));

    public static NotFoundException NotFound(ResourceKind kind, string key) => new(kind.Plural, NameOf(key));

    public static ConflictException Conflict(ResourceKind kind, string key) =>
        new(kind.Plural, NameOf(key), "the object has been modified; please apply your changes to the latest version and try again");

    public static ExpiredException Expired(ResourceKind kind, long revision, long oldest) =>
        new($"too old resource version: {revision} ({oldest}); the {kind.Plural} history no longer reaches back that far, list again");
}
