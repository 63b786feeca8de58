using System.Collections.Immutable;

namespace Granary.Model;

/// <summary>A probe; exactly one of exec, tcpSocket, httpGet or grpc is set.</summary>
[GenerateSerializer, Immutable, Alias("granary.Probe")]
public sealed record Probe
{
    [Id(0)] public ExecAction? Exec { get; init; }
    [Id(1)] public TcpSocketAction? TcpSocket { get; init; }
    [Id(2)] public HttpGetAction? HttpGet { get; init; }
    [Id(3)] public int? InitialDelaySeconds { get; init; }
    [Id(4)] public int? PeriodSeconds { get; init; }
    [Id(5)] public int? TimeoutSeconds { get; init; }
    [Id(6)] public int? SuccessThreshold { get; init; }
    [Id(7)] public int? FailureThreshold { get; init; }
    [Id(8)] public GrpcAction? Grpc { get; init; }

    /// <summary>Overrides the pod's grace period when this (liveness or startup) probe kills the container.</summary>
    [Id(9)] public long? TerminationGracePeriodSeconds { get; init; }
}

/// <summary>Hooks run right after a container starts and before it is stopped.</summary>
[GenerateSerializer, Immutable, Alias("granary.Lifecycle")]
public sealed record Lifecycle
{
    [Id(0)] public LifecycleHandler? PostStart { get; init; }
    [Id(1)] public LifecycleHandler? PreStop { get; init; }
}

/// <summary>A lifecycle hook; exactly one of exec, httpGet, tcpSocket (deprecated, kept for compatibility) or sleep.</summary>
[GenerateSerializer, Immutable, Alias("granary.LifecycleHandler")]
public sealed record LifecycleHandler
{
    [Id(0)] public ExecAction? Exec { get; init; }
    [Id(1)] public HttpGetAction? HttpGet { get; init; }
    [Id(2)] public TcpSocketAction? TcpSocket { get; init; }
    [Id(3)] public SleepAction? Sleep { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.ExecAction")]
public sealed record ExecAction
{
    [Id(0)] public ImmutableList<string>? Command { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.TcpSocketAction")]
public sealed record TcpSocketAction
{
    [Id(0)] public IntOrString Port { get; init; }
    [Id(1)] public string? Host { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.HttpGetAction")]
public sealed record HttpGetAction
{
    [Id(0)] public string? Path { get; init; }
    [Id(1)] public IntOrString Port { get; init; }
    [Id(2)] public string? Host { get; init; }
    [Id(3)] public string? Scheme { get; init; }
    [Id(4)] public ImmutableList<HttpHeader>? HttpHeaders { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.HttpHeader")]
public sealed record HttpHeader
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string Value { get; init; } = "";
}

/// <summary>A gRPC health check (grpc.health.v1) on a port of the pod.</summary>
[GenerateSerializer, Immutable, Alias("granary.GrpcAction")]
public sealed record GrpcAction
{
    [Id(0)] public int Port { get; init; }
    [Id(1)] public string? Service { get; init; }
}

[GenerateSerializer, Immutable, Alias("granary.SleepAction")]
public sealed record SleepAction
{
    [Id(0)] public long Seconds { get; init; }
}
