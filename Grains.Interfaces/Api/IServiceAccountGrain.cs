namespace Granary.Api;

/// <summary>
/// Owns one ServiceAccount (key "namespace/name"). The one named "default" is kept in every active namespace, as
/// kube's serviceaccount controller does: the namespace asks for it when created or activated, and it is created
/// again when deleted.
/// </summary>
[Alias("granary.IServiceAccountGrain")]
public interface IServiceAccountGrain : IResourceGrain<Model.ServiceAccount>
{
    /// <summary>
    /// For the grain of "namespace/default": creates the namespace's default ServiceAccount when it is missing and the
    /// namespace accepts content. Idempotent; a no-op for any other name.
    /// </summary>
    [Alias("EnsureDefault")]
    Task EnsureDefaultAsync();
}
