namespace Granary.Model;

/// <summary>The pods a ReplicaSet or Deployment makes: their metadata (labels, annotations) and the pod spec.</summary>
[GenerateSerializer, Immutable, Alias("granary.PodTemplateSpec")]
public sealed record PodTemplateSpec
{
    [Id(0)] public ObjectMeta? Metadata { get; init; }
    [Id(1)] public PodSpec? Spec { get; init; }
}
