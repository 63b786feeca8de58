using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>
/// Sensitive data for pods (core v1 Secret). <see cref="Data"/> holds the values (base64 on the wire);
/// <see cref="StringData"/> is write-only: the owning grain merges it into <see cref="Data"/> on every write (its keys
/// win) and never stores or returns it. <see cref="Type"/> (default <see cref="SecretTypes.Opaque"/>) decides which keys
/// are required, and cannot change. Values never appear in logs, events or error messages.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.Secret")]
public sealed record Secret : IResource<Secret>
{
    public static ResourceKind ResourceKind => ResourceKinds.Secret;

    [Id(0)] public string ApiVersion { get; init; } = "v1";
    [Id(1)] public string Kind { get; init; } = "Secret";
    [Id(2)] public ObjectMeta Metadata { get; init; } = new();
    [Id(3)] public ImmutableSortedDictionary<string, Bytes>? Data { get; init; }
    [Id(4)] public ImmutableSortedDictionary<string, string>? StringData { get; init; }
    [Id(5)] public string? Type { get; init; }
    [Id(6)] public bool? Immutable { get; init; }

    public IResource WithMetadata(ObjectMeta metadata) => this with { Metadata = metadata };
}

/// <summary>The Secret types Kubernetes defines, and the keys each requires.</summary>
public static class SecretTypes
{
    public const string Opaque = "Opaque";
    public const string ServiceAccountToken = "kubernetes.io/service-account-token";
    public const string DockerConfig = "kubernetes.io/dockercfg";
    public const string DockerConfigJson = "kubernetes.io/dockerconfigjson";
    public const string BasicAuth = "kubernetes.io/basic-auth";
    public const string SshAuth = "kubernetes.io/ssh-auth";
    public const string Tls = "kubernetes.io/tls";
    public const string BootstrapToken = "bootstrap.kubernetes.io/token";

    public const string DockerConfigKey = ".dockercfg";
    public const string DockerConfigJsonKey = ".dockerconfigjson";
    public const string BasicAuthUsernameKey = "username";
    public const string BasicAuthPasswordKey = "password";
    public const string SshAuthPrivateKey = "ssh-privatekey";
    public const string TlsCertKey = "tls.crt";
    public const string TlsPrivateKeyKey = "tls.key";
    public const string ServiceAccountNameAnnotation = "kubernetes.io/service-account.name";
    public const string ServiceAccountUidAnnotation = "kubernetes.io/service-account.uid";
}
