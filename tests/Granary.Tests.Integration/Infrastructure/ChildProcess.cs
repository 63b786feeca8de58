using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// A real child process whose output lines are kept, so a test can wait for a line (a barrier, not a sleep)
/// and show the output when something fails. Stopped with SIGTERM, as an operator or systemd would.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<Waiter> _waiters = [];

    /// <summary>Someone waiting for a line containing Pattern, after Skip more such lines.</summary>
    private sealed class Waiter(string pattern, int skip)
    {
        public string Pattern { get; } = pattern;
        public int Skip { get; set; } = skip;
        public TaskCompletionSource<string> Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public string Name { get; }

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
            info.Environment[k] = v;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        lock (_output)
        {
            _output.AppendLine(line);
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Pattern, StringComparison.Ordinal)).ToList())
            {
                if (waiter.Skip-- > 0)
                    continue;
                waiter.Seen.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Waits for a line containing <paramref name="pattern"/> (already printed or still to come).</summary>
    public Task<string> WaitForLineAsync(string pattern, TimeSpan timeout, string phase) => WaitForLineAsync(pattern, 1, timeout, phase);

    /// <summary>Waits for the <paramref name="occurrence"/>th line (1 = the first) containing <paramref name="pattern"/>.</summary>
    public async Task<string> WaitForLineAsync(string pattern, int occurrence, TimeSpan timeout, string phase)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(occurrence, 1);
        Waiter waiter;
        lock (_output)
        {
            var existing = Lines(pattern);
            if (existing.Count >= occurrence)
                return existing[occurrence - 1];
            waiter = new Waiter(pattern, occurrence - 1 - existing.Count);
            _waiters.Add(waiter);
        }
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(waiter.Seen.Task, exited, Task.Delay(timeout));
        if (done == waiter.Seen.Task)
            return await waiter.Seen.Task;
        lock (_output)
            _waiters.Remove(waiter);
        var why = done == exited ? $"the process exited with code {_process.ExitCode}" : $"{timeout.TotalSeconds:0}s passed";
        var which = occurrence == 1 ? "" : $" (occurrence {occurrence}; {Lines(pattern).Count} seen)";
        throw new TimeoutException($"{phase}: {Name} never printed \"{pattern}\"{which} ({why}). Output:\n{Output}");
    }

    /// <summary>The lines printed so far that contain <paramref name="pattern"/>.</summary>
    public List<string> Lines(string pattern)
    {
        lock (_output)
            return [.. _output.ToString().Split('\n').Where(l => l.Contains(pattern, StringComparison.Ordinal)).Select(l => l.TrimEnd('\r'))];
    }

    /// <summary>Waits for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, string phase)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{phase}: {Name} did not exit within {timeout.TotalSeconds:0}s. Output:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then wait; SIGKILL if it does not stop within the grace period.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited)
            return;
        _ = Kill(_process.Id, 15);
        using var cts = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(15));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGKILL: the process dies at once, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
            return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public int ExitCode => _process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
