namespace Granary.Api;

/// <summary>
/// Owns one ConfigMap (key "namespace/name"). After every write or delete it tells the nodes whose pods reference it
/// (<see cref="INodeAgentGrain.PodConfigChangedAsync"/>, a hint).
/// </summary>
[Alias("granary.IConfigMapGrain")]
public interface IConfigMapGrain : IResourceGrain<Model.ConfigMap>;

/// <summary>
/// Owns one Secret (key "namespace/name"): merges stringData into data on every write, never stores or returns it, and
/// tells the nodes whose pods reference it after every write or delete, as ConfigMaps do.
/// </summary>
[Alias("granary.ISecretGrain")]
public interface ISecretGrain : IResourceGrain<Model.Secret>;
