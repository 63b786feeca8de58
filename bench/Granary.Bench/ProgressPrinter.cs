using System.Diagnostics;

namespace Granary.Bench;

/// <summary>
/// Prints "phase done/total" about once a second while a phase runs, with the rate over the last second and the
/// average since the phase began; one line each time, so the output reads the same in a terminal and in a log file.
/// Disposing stops it and prints the final line.
/// </summary>
internal sealed class ProgressPrinter : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly TextWriter _output;
    private readonly string _phase;
    private readonly long _total;
    private readonly Func<long> _done;
    private readonly Func<string?> _note;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly long _initial;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _lastDone;
    private long _lastAt;

    /// <param name="done">How many are done now; read from the timer, so it must be safe to call from any thread.</param>
    /// <param name="note">Optional extra text for each line (e.g. how many failed so far).</param>
    public ProgressPrinter(TextWriter output, string phase, long total, Func<long> done, Func<string?>? note = null)
    {
        _output = output;
        _phase = phase;
        _total = total;
        _done = done;
        _note = note ?? (() => null);
        // A phase may begin with part of the work done (pods bound while they were being created): rates count from here.
        _initial = _lastDone = done();
        _lastAt = _started;
        _loop = RunAsync();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
                Print();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed: the final line is printed by DisposeAsync.
        }
    }

    private void Print()
    {
        var now = Stopwatch.GetTimestamp();
        var done = _done();
        var sinceLast = Stopwatch.GetElapsedTime(_lastAt, now).TotalSeconds;
        var elapsed = Stopwatch.GetElapsedTime(_started, now).TotalSeconds;
        var rate = sinceLast > 0 ? (done - _lastDone) / sinceLast : 0;
        var average = elapsed > 0 ? (done - _initial) / elapsed : 0;
        var note = _note();
        _output.WriteLine($"  {_phase,-8} {done,7}/{_total,-7} {rate,8:0}/s now {average,8:0}/s avg {elapsed,7:0.0} s{(note is null ? "" : "  " + note)}");
        _lastDone = done;
        _lastAt = now;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        Print();
    }
}
