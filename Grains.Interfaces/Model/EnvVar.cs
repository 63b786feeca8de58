namespace Granary.Model;

[GenerateSerializer, Immutable, Alias("granary.EnvVar")]
public sealed record EnvVar
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string? Value { get; init; }
    [Id(2)] public EnvVarSource? ValueFrom { get; init; }
}

/// <summary>Where an environment value comes from; exactly one source is set.</summary>
[GenerateSerializer, Immutable, Alias("granary.EnvVarSource")]
public sealed record EnvVarSource
{
    [Id(0)] public ObjectFieldSelector? FieldRef { get; init; }
    [Id(1)] public ResourceFieldSelector? ResourceFieldRef { get; init; }
    [Id(2)] public ConfigMapKeySelector? ConfigMapKeyRef { get; init; }
    [Id(3)] public SecretKeySelector? SecretKeyRef { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ObjectFieldSelector")]
public sealed record ObjectFieldSelector
{
    [Id(0)] public string FieldPath { get; init; } = "";
    [Id(1)] public string? ApiVersion { get; init; }
}

/// <summary>A container's request or limit (<c>limits.memory</c>), in units of <see cref="Divisor"/>.</summary>
[GenerateSerializer, Immutable, Alias("granary.ResourceFieldSelector")]
public sealed record ResourceFieldSelector
{
    [Id(0)] public string? ContainerName { get; init; }
    [Id(1)] public string Resource { get; init; } = "";
    [Id(2)] public Quantity? Divisor { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ConfigMapKeySelector")]
public sealed record ConfigMapKeySelector
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string Key { get; init; } = "";
    [Id(2)] public bool? Optional { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.SecretKeySelector")]
public sealed record SecretKeySelector
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string Key { get; init; } = "";
    [Id(2)] public bool? Optional { get; init; }
}

/// <summary>Every key of a ConfigMap or a Secret as environment variables, each name prefixed by <see cref="Prefix"/>.</summary>
[GenerateSerializer, Immutable, Alias("granary.EnvFromSource")]
public sealed record EnvFromSource
{
    [Id(0)] public string? Prefix { get; init; }
    [Id(1)] public ConfigMapEnvSource? ConfigMapRef { get; init; }
    [Id(2)] public SecretEnvSource? SecretRef { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ConfigMapEnvSource")]
public sealed record ConfigMapEnvSource
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public bool? Optional { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.SecretEnvSource")]
public sealed record SecretEnvSource
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public bool? Optional { get; init; }
}
