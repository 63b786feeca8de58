using SysProcess = System.Diagnostics.Process;

namespace Granary.NodeAgent.Runtime.Process;

/// <summary>One container of the process driver while this instance runs: its record and what watches it.</summary>
internal sealed class Container(string dir, ProcessRecord record, TimeProvider time) : IDisposable
{
    private volatile ProcessRecord _record = record;
    private volatile bool _processGone = record.State != ContainerRunState.Running;
    private TaskCompletionSource _exited = Completed(record.State != ContainerRunState.Running);
    private SysProcess? _child;

    /// <summary>Held across a start, so two starts cannot launch twice.</summary>
    public Lock Gate { get; } = new();

    public string Dir => dir;

    /// <summary>The run's output, in the container's folder; closed when the container is disposed.</summary>
    public ProcessLogFile Log { get; } = new(Path.Combine(dir, ProcessLogFile.FileName), time);

    /// <summary>A snapshot; replaced whole (and saved) on every change.</summary>
    public ProcessRecord Record
    {
        get => _record;
        set => _record = value;
    }

    /// <summary>Whether the process has gone: the output pumps drain what is left and stop.</summary>
    public bool ProcessGone => _processGone;

    /// <summary>The output pumps of the current run (done when both have drained).</summary>
    public Task Pumps { get; set; } = Task.CompletedTask;

    /// <summary>A new run: <paramref name="child"/> is ours when this instance started it, null when adopted.</summary>
    public void Begin(SysProcess? child)
    {
        _child?.Dispose();
        _child = child;
        _processGone = false;
        _exited = Completed(false);
    }

    public void MarkProcessGone() => _processGone = true;

    /// <summary>The record says Exited: the run is over and its output is in the log.</summary>
    public void MarkExited() => _exited.TrySetResult();

    /// <summary>True when the run ended within <paramref name="limit"/>.</summary>
    public async Task<bool> WaitExitedAsync(TimeSpan limit, CancellationToken ct)
    {
        try
        {
            await _exited.Task.WaitAsync(limit, ct);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _child?.Dispose();
        Log.Dispose();
    }

    private static TaskCompletionSource Completed(bool done)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (done)
            source.SetResult();
        return source;
    }
}
