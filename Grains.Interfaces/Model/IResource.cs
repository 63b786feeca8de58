namespace Granary.Model;

/// <summary>
/// What every stored object has: the Kubernetes type header and metadata.
/// Spec and status live on the concrete records; users write spec, controllers and agents write status.
/// </summary>
public interface IResource
{
    string ApiVersion { get; }
    string Kind { get; }
    ObjectMeta Metadata { get; }

    /// <summary>A copy with other metadata (records cannot be copied with <c>with</c> through an interface).</summary>
    IResource WithMetadata(ObjectMeta metadata);
}

/// <summary>A resource type that names its own kind, so generic code can find the descriptor statically.</summary>
public interface IResource<TSelf> : IResource where TSelf : class, IResource<TSelf>
{
    static abstract ResourceKind ResourceKind { get; }
}
