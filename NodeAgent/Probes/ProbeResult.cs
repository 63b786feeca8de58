namespace Granary.NodeAgent.Probes;

public enum ProbeKind { Liveness, Readiness, Startup }

public enum ProbeOutcome
{
    Success,
    Failure,
    /// <summary>The probe could not be run (engine unreachable, port name unknown): the attempt does not count, as in the kubelet.</summary>
    Error,
}

/// <summary>
/// One probe attempt's result. <see cref="Message"/> is set unless it succeeded, in the kubelet's words:
/// "Liveness probe failed: HTTP probe failed with statuscode: 500".
/// </summary>
public sealed record ProbeResult(ProbeOutcome Outcome, string? Message)
{
    public static readonly ProbeResult Success = new(ProbeOutcome.Success, null);

    public bool Succeeded => Outcome == ProbeOutcome.Success;

    public static ProbeResult Failure(ProbeKind kind, string detail) => new(ProbeOutcome.Failure, $"{kind} probe failed: {detail}");

    public static ProbeResult Error(ProbeKind kind, string detail) => new(ProbeOutcome.Error, $"{kind} probe errored: {detail}");
}
