namespace Granary.NodeAgent.Probes;

/// <summary>What the probes say about one running container.</summary>
/// <param name="Started">The startup probe succeeded (or there is none).</param>
/// <param name="Ready">Started, and the readiness probe succeeded (or there is none): the container takes traffic.</param>
/// <param name="Live">False when the liveness or startup probe failed: the container must be restarted.</param>
/// <param name="LastFailure">The latest failed attempt's message, liveness first, then startup, then readiness; null once they pass.</param>
public sealed record ContainerProbeStatus(
    string PodUid, string ContainerName, string ContainerId, bool Started, bool Ready, bool Live, string? LastFailure);

/// <summary>
/// The up to three probes of one container and the results they settled on. Kubernetes' rules: liveness starts
/// out passing, readiness failing, startup unknown; liveness and readiness wait until startup has succeeded,
/// and readiness runs at once when it does.
/// </summary>
internal sealed class ContainerProbes : IDisposable
{
    private readonly Action<ContainerProbes, ProbeKind, ProbeResult, ContainerProbeStatus, ContainerProbeStatus> _reported;
    private readonly ProbeWorker? _startup;
    private readonly ProbeWorker? _liveness;
    private readonly ProbeWorker? _readiness;
    private readonly Lock _lock = new();
    private readonly Dictionary<ProbeKind, string> _failures = [];
    private ProbeOutcome? _startupResult;
    private bool _live = true;
    private bool _ready;

    public ContainerProbes(ProbeTarget target, ProbeRunner runner, TimeProvider time,
        Action<ContainerProbes, ProbeKind, ProbeResult, ContainerProbeStatus, ContainerProbeStatus> reported)
    {
        Target = target;
        _reported = reported;
        var container = target.Container;
        if (container.StartupProbe is { } startup)
            _startup = new ProbeWorker(this, ProbeKind.Startup, startup, runner, time);
        else
            _startupResult = ProbeOutcome.Success;
        if (container.LivenessProbe is { } liveness)
            _liveness = new ProbeWorker(this, ProbeKind.Liveness, liveness, runner, time);
        if (container.ReadinessProbe is { } readiness)
            _readiness = new ProbeWorker(this, ProbeKind.Readiness, readiness, runner, time);
    }

    public ProbeTarget Target { get; }

    public ContainerProbeStatus Status
    {
        get
        {
            lock (_lock)
                return StatusLocked();
        }
    }

    /// <summary>Starts the timers; separate from construction because a timer due now may tick at once.</summary>
    public void Start()
    {
        _startup?.Start();
        _liveness?.Start();
        _readiness?.Start();
    }

    public bool ShouldRun(ProbeKind kind)
    {
        lock (_lock)
        {
            var started = _startupResult == ProbeOutcome.Success;
            return kind == ProbeKind.Startup ? !started : started;
        }
    }

    /// <summary>One attempt's result; <paramref name="settled"/> is set when it met its threshold.</summary>
    public void Report(ProbeKind kind, ProbeResult result, ProbeOutcome? settled)
    {
        ContainerProbeStatus before, after;
        var nowStarted = false;
        lock (_lock)
        {
            before = StatusLocked();
            if (result.Succeeded)
                _failures.Remove(kind);
            else
                _failures[kind] = result.Message ?? $"{kind} probe failed";
            if (settled is { } outcome)
            {
                switch (kind)
                {
                    case ProbeKind.Startup:
                        nowStarted = outcome == ProbeOutcome.Success && _startupResult != ProbeOutcome.Success;
                        _startupResult = outcome;
                        break;
                    case ProbeKind.Liveness:
                        _live = outcome == ProbeOutcome.Success;
                        break;
                    case ProbeKind.Readiness:
                        _ready = outcome == ProbeOutcome.Success;
                        break;
                }
            }
            after = StatusLocked();
        }
        if (nowStarted)
            _readiness?.RunSoon();
        _reported(this, kind, result, before, after);
    }

    private ContainerProbeStatus StatusLocked()
    {
        var started = _startupResult == ProbeOutcome.Success;
        return new(
            Target.PodUid,
            Target.ContainerName,
            Target.ContainerId,
            Started: started,
            Ready: started && (_readiness is null || _ready),
            Live: _live && _startupResult != ProbeOutcome.Failure,
            LastFailure: _failures.GetValueOrDefault(ProbeKind.Liveness)
                ?? _failures.GetValueOrDefault(ProbeKind.Startup)
                ?? _failures.GetValueOrDefault(ProbeKind.Readiness));
    }

    public void Dispose()
    {
        _startup?.Dispose();
        _liveness?.Dispose();
        _readiness?.Dispose();
    }
}
