using Granary.Model;

namespace Granary.Api;

/// <summary>
/// Owns one HorizontalPodAutoscaler (key "namespace/name") and is its controller: every sync period it reads its target's
/// scale and its pods' usage from the metrics API, computes the desired replicas with kube's algorithm and behavior, scales
/// the target through its scale subresource and writes its status, conditions and events.
/// </summary>
[Alias("granary.IHorizontalPodAutoscalerGrain")]
public interface IHorizontalPodAutoscalerGrain : IResourceGrain<HorizontalPodAutoscaler>;
