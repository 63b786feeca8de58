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
    private readonly List<(string Pattern, TaskCompletionSource<string> Seen)> _waiters = [];

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
            foreach (var (pattern, seen) in _waiters.Where(w => line.Contains(w.Pattern, StringComparison.Ordinal)).ToList())
                seen.TrySetResult(line);
        }
    }

    /// <summary>Waits for a line containing <paramref name="pattern"/> (already printed or still to come).</summary>
    public async Task<string> WaitForLineAsync(string pattern, TimeSpan timeout, string phase)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            var existing = _output.ToString().Split('\n').FirstOrDefault(l => l.Contains(pattern, StringComparison.Ordinal));
            if (existing is not null)
                return existing;
            _waiters.Add((pattern, seen));
        }
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout));
        if (done == seen.Task)
            return await seen.Task;
        var why = done == exited ? $"the process exited with code {_process.ExitCode}" : $"{timeout.TotalSeconds:0}s passed";
        throw new TimeoutException($"{phase}: {Name} never printed \"{pattern}\" ({why}). Output:\n{Output}");
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
