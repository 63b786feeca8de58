using Granary.Errors;
using Granary.Model;

namespace Granary.Client.Manifests;

/// <summary>
/// One object read from a manifest, or why it could not be read. Tools that go on past a bad document
/// (as <c>granary apply</c> does) use these; <see cref="ManifestReader.Parse"/> throws the first error instead.
/// </summary>
/// <param name="Source">The file name as given, or <c>STDIN</c>.</param>
/// <param name="Document">The document's number in the source, from 1, counting non-empty documents.</param>
/// <param name="Item">For a document of kind List, the item's number from 1.</param>
public sealed record ManifestDocument(string Source, int Document, int? Item, IResource? Resource, BadRequestException? Error)
{
    /// <summary>Where the object came from, as error messages name it: <c>pod.yaml (document 2)</c>.</summary>
    public string Location => Item is { } item ? $"{Source} (document {Document}, item {item})" : $"{Source} (document {Document})";
}
