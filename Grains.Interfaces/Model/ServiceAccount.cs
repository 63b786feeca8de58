using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// An identity for the processes in pods (core v1 ServiceAccount). Every active namespace has one named
/// <see cref="Default"/>, as kube's serviceaccount controller ensures. Tokens and RBAC are not served yet: the object is
/// stored and listed, and pods may name it.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.ServiceAccount")]
public sealed record ServiceAccount : IResource<ServiceAccount>
{
    public const string Default = "default";

    public static ResourceKind ResourceKind => ResourceKinds.ServiceAccount;

    [Id(0)] public string ApiVersion { get; init; } = "v1";
    [Id(1)] public string Kind { get; init; } = "ServiceAccount";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public ImmutableList<ObjectReference>? Secrets { get; init; }
    [Id(4)] public ImmutableList<LocalObjectReference>? ImagePullSecrets { get; init; }
    [Id(5)] public bool? AutomountServiceAccountToken { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}
