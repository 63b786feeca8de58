using System.Diagnostics;
using System.Text;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// Runs a command under a pseudo-terminal with the system's <c>script</c> utility (util-linux), as a user at a
/// terminal would run it: <c>kubectl exec -it</c> and <c>kubectl run -it</c> see a TTY. The test types into it and
/// waits for text to appear (prompts end without a newline, so waits match text, not lines).
/// </summary>
public sealed class PseudoTerminal : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];
    private readonly Task _pump;

    private PseudoTerminal(Process process)
    {
        _process = process;
        _pump = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
    }

    /// <summary>
    /// Starts <paramref name="shellCommand"/> (a line for sh) under a terminal of <paramref name="columns"/> ×
    /// <paramref name="rows"/>; <c>script -e</c> exits with the command's exit code.
    /// </summary>
    public static PseudoTerminal Start(string shellCommand, int columns = 123, int rows = 45)
    {
        var info = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-qec", $"stty cols {columns} rows {rows}; exec {shellCommand}", "/dev/null" })
            info.ArgumentList.Add(arg);
        return new PseudoTerminal(Process.Start(info) ?? throw new InvalidOperationException("script did not start"));
    }

    /// <summary>Quotes one argument for sh.</summary>
    public static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Types <paramref name="text"/> (a line ends with "\n", which the terminal turns into Enter).</summary>
    public async Task TypeAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits until <paramref name="text"/> has appeared on the terminal (already or still to come).</summary>
    public async Task WaitForTextAsync(string text, TimeSpan timeout, string phase)
    {
        TaskCompletionSource seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal))
                return;
            _waiters.Add((text, seen));
        }
        var done = await Task.WhenAny(seen.Task, _process.WaitForExitAsync(), Task.Delay(timeout));
        if (done == seen.Task)
            return;
        var why = _process.HasExited ? $"the terminal's command exited with code {_process.ExitCode}" : $"{timeout.TotalSeconds:0}s passed";
        throw new TimeoutException($"{phase}: \"{text}\" never appeared on the terminal ({why}). Output:\n{Output}");
    }

    /// <summary>Waits for the command to end and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, string phase)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await _pump.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{phase}: the terminal's command did not exit within {timeout.TotalSeconds:0}s. Output:\n{Output}");
        }
        return _process.ExitCode;
    }

    private async Task PumpAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_output)
            {
                _output.Append(buffer, 0, read);
                var text = _output.ToString();
                foreach (var waiter in _waiters.Where(w => text.Contains(w.Text, StringComparison.Ordinal)).ToList())
                {
                    waiter.Seen.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
