namespace Granary.Grains.Validation;

/// <summary>Reads the tag and digest of an image reference ("registry:5000/app:1.2@sha256:…").</summary>
internal static class ImageReference
{
    /// <summary>The tag, or "latest" when neither a tag nor a digest is given, as a container engine pulls it.</summary>
    public static string? Tag(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var name = at >= 0 ? image[..at] : image;
        // A colon before the last '/' belongs to a registry port, not to a tag.
        var lastSegment = name[(name.LastIndexOf('/') + 1)..];
        var colon = lastSegment.LastIndexOf(':');
        if (colon >= 0)
            return lastSegment[(colon + 1)..];
        return at >= 0 ? null : "latest";
    }
}
