namespace Granary.Model;

/// <summary>A reference to an object (and optionally a part of it, such as one container: <c>spec.containers{web}</c>).</summary>
[GenerateSerializer, Immutable, Alias("granary.ObjectReference")]
public sealed record ObjectReference
{
    [Id(0)] public string? Kind { get; init; }
    [Id(1)] public string? Namespace { get; init; }
    [Id(2)] public string? Name { get; init; }
    [Id(3)] public string? Uid { get; init; }
    [Id(4)] public string? ApiVersion { get; init; }
    [Id(5)] public string? ResourceVersion { get; init; }
    [Id(6)] public string? FieldPath { get; init; }

    /// <summary>The reference client-go's GetReference makes: kind, apiVersion, namespace, name, uid and resourceVersion.</summary>
    public static ObjectReference To(IResource resource, string? fieldPath = null) => new()
    {
        Kind = resource.Kind,
        Namespace = resource.Metadata.Namespace,
        Name = resource.Metadata.Name,
        Uid = resource.Metadata.Uid,
        ApiVersion = resource.ApiVersion,
        ResourceVersion = resource.Metadata.ResourceVersion,
        FieldPath = fieldPath,
    };
}
