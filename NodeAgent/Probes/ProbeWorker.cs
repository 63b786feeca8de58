using Granary.Model;

namespace Granary.NodeAgent.Probes;

/// <summary>
/// One probe of one container on a timer of the injected clock: the first attempt at start + initialDelaySeconds,
/// then one per periodSeconds (a tick that finds the last attempt still running is skipped). Counts consecutive
/// results against the thresholds and hands each attempt to its <see cref="ContainerProbes"/>.
/// </summary>
internal sealed class ProbeWorker : IDisposable
{
    private readonly ContainerProbes _owner;
    private readonly ProbeRunner _runner;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private int _busy;
    private ProbeOutcome? _last;
    private int _run;
    private bool _onHold;
    private bool _disposed;

    public ProbeWorker(ContainerProbes owner, ProbeKind kind, Probe probe, ProbeRunner runner, TimeProvider time)
    {
        _owner = owner;
        _runner = runner;
        _time = time;
        Kind = kind;
        Probe = probe;
        Settings = ProbeSettings.Of(probe);
    }

    public ProbeKind Kind { get; }
    public Probe Probe { get; }
    public ProbeSettings Settings { get; }

    public void Start()
    {
        // A timer due now may run its first tick inside CreateTimer, before _timer is set; Tick does not need it.
        var timer = _time.CreateTimer(_ => Tick(), null, DueIn(), Settings.Period);
        lock (_lock)
        {
            if (!_disposed)
            {
                _timer = timer;
                return;
            }
        }
        timer.Dispose();
    }

    /// <summary>Probes as soon as the initial delay allows, then every period from there.</summary>
    public void RunSoon()
    {
        ITimer? timer;
        lock (_lock)
            timer = _timer;
        timer?.Change(DueIn(), Settings.Period);
    }

    private TimeSpan DueIn()
    {
        var due = _owner.Target.StartedAt + Settings.InitialDelay - _time.GetUtcNow();
        return due > TimeSpan.Zero ? due : TimeSpan.Zero;
    }

    private void Tick()
    {
        bool onHold;
        lock (_lock)
            onHold = _onHold;
        if (onHold || _stop.IsCancellationRequested || !_owner.ShouldRun(Kind))
            return;
        if (Interlocked.Exchange(ref _busy, 1) == 1)
            return;
        _ = AttemptAsync();
    }

    private async Task AttemptAsync()
    {
        try
        {
            ProbeResult result;
            try
            {
                result = await _runner.RunAsync(Kind, Probe, _owner.Target, _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                // Removed mid-attempt: whatever the cancelled attempt threw no longer matters.
                return;
            }
            if (!_stop.IsCancellationRequested)
                _owner.Report(Kind, result, Count(result.Outcome));
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>The settled result once a threshold is met, else null. Errors do not count, as in the kubelet.</summary>
    private ProbeOutcome? Count(ProbeOutcome outcome)
    {
        if (outcome == ProbeOutcome.Error)
            return null;
        lock (_lock)
        {
            _run = _last == outcome ? _run + 1 : 1;
            _last = outcome;
            var threshold = outcome == ProbeOutcome.Success ? Settings.SuccessThreshold : Settings.FailureThreshold;
            if (_run < threshold)
                return null;
            if (outcome == ProbeOutcome.Failure && Kind is ProbeKind.Liveness or ProbeKind.Startup)
            {
                // The container is going to be restarted (with a new id, so new workers): probing it further
                // only races the kill, which is why the kubelet stops too.
                _onHold = true;
            }
            return outcome;
        }
    }

    public void Dispose()
    {
        ITimer? timer;
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            timer = _timer;
            _timer = null;
        }
        timer?.Dispose();
        // Outside the lock: cancellation runs the in-flight attempt's callbacks on this thread.
        _stop.Cancel();
    }
}
