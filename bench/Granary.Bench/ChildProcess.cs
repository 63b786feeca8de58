using System.Diagnostics;

namespace Granary.Bench;

/// <summary>
/// A process the benchmark started (redis-server, a silo, dockerd, an agent): its output is kept in a tail for error messages,
/// and it is ready once it writes a known line. Stopped with SIGTERM on dispose.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    // Generous: a silo that is stopped right after a run may wait for in-flight calls before it deactivates grains.
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly OutputTail _tail = new(40);
    private readonly LogProblems _problems = new();
    private bool _stopped;

    private ChildProcess(string name, string fileName, IEnumerable<string> arguments, string workingDirectory, string readyLine)
    {
        Name = name;
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);

        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void OnLine(string? line)
        {
            if (line is null)
                return;
            _tail.Add(line);
            if (_ready.Task.IsCompleted)
            {
                _problems.Add(line);
                LineWritten?.Invoke(line);
            }
            else if (line.Contains(readyLine, StringComparison.Ordinal))
                _ready.TrySetResult();
        }
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
    }

    public string Name { get; }

    /// <summary>Each line the process writes once it is ready, on the output reader's thread (subscribers must be quick).</summary>
    public event Action<string>? LineWritten;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Warnings and errors the process logged after it was ready (start-up notes are not counted).</summary>
    public LogProblems Problems => _problems;

    /// <summary>The process's last lines of output, indented under a heading.</summary>
    public string FormatTail() => _tail.Format($"last output of {Name} (pid {_process.Id})");

    /// <summary>Starts the process and waits until it writes <paramref name="readyLine"/>; fails if it exits first or takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<ChildProcess> StartAsync(
        string name, string fileName, IEnumerable<string> arguments, string workingDirectory, string readyLine, TimeSpan timeout, CancellationToken ct)
    {
        var child = new ChildProcess(name, fileName, arguments, workingDirectory, readyLine);
        try
        {
            child._process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            child._process.Dispose();
            throw new BenchmarkException($"cannot start {name} ({fileName}): {e.Message}");
        }
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();

        try
        {
            var exited = child._process.WaitForExitAsync(ct);
            var finished = await Task.WhenAny(child._ready.Task, exited, Task.Delay(timeout, ct));
            ct.ThrowIfCancellationRequested();
            if (finished == exited)
            {
                // Let the output readers drain, so the tail holds the process's last words.
                await exited;
                throw new BenchmarkException($"{name} exited with code {child._process.ExitCode} before it was ready. {child.FormatTail()}");
            }
            if (finished != child._ready.Task)
                throw new BenchmarkException($"{name} did not write \"{readyLine}\" within {timeout.TotalSeconds:0} s. {child.FormatTail()}");
            return child;
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the process with SIGTERM (SIGKILL after <paramref name="grace"/>, by default <see cref="StopGrace"/>); returns false when it had to be killed.</summary>
    public async Task<bool> StopAsync(TimeSpan? grace = null)
    {
        if (_stopped)
            return true;
        _stopped = true;
        return await ProcessHelpers.StopAsync(_process, grace ?? StopGrace);
    }

    /// <summary>Stops the process (<see cref="StopAsync"/>) and says how long it took, or that it had to be killed and what it last wrote.</summary>
    public async Task StopAndReportAsync(TextWriter output, TimeSpan? grace = null)
    {
        var stopping = Stopwatch.GetTimestamp();
        if (!await StopAsync(grace))
            output.WriteLine($"{Name} (pid {Pid}) did not exit within {(grace ?? StopGrace).TotalSeconds:0} s of SIGTERM and was killed. {FormatTail()}");
        else
            output.WriteLine($"{Name} stopped {Stopwatch.GetElapsedTime(stopping).TotalSeconds:0.0} s after SIGTERM");
    }

    /// <summary>Kills the process with SIGKILL, giving it no chance to clean up, and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _stopped = true;
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync(CancellationToken.None);
    }

    /// <summary>Completes when the process exits.</summary>
    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    public int ExitCode => _process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }
}
