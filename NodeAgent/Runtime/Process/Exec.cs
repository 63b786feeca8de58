using SysProcess = System.Diagnostics.Process;

namespace Granary.NodeAgent.Runtime.Process;

/// <summary>Exec for the process driver: the command runs on the host with the container's environment and working directory.</summary>
internal static class Exec
{
    public static async Task<ExecResult> RunAsync(ProcessRecord record, IReadOnlyList<string> command, ReadOnlyMemory<byte> stdin, TimeSpan timeout, CancellationToken ct)
    {
        using var process = Start(record, command);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            // Output is read while stdin is written: a command that answers as it reads would otherwise fill its
            // pipe and wait on us while we wait on it.
            var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
            await WriteStdinAsync(process, stdin, deadline.Token);
            await process.WaitForExitAsync(deadline.Token);
            return new ExecResult(process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            if (ct.IsCancellationRequested)
                throw;
            throw new RuntimeException(RuntimeErrorKind.Timeout, $"exec in {record.Id}: {command[0]} did not finish within {timeout.TotalSeconds:0.#}s and was killed");
        }
    }

    /// <summary>Starts a command on the host with the container's environment and working directory, its three streams on pipes.</summary>
    public static SysProcess Start(ProcessRecord record, IReadOnlyList<string> command)
    {
        if (command.Count == 0)
            throw new RuntimeException(RuntimeErrorKind.Failed, $"exec in {record.Id}: no command");
        // Resolved with the container's PATH; .NET would search the agent's own.
        var executable = Executable.Resolve(command[0], record.Env.GetValueOrDefault("PATH"), record.WorkingDir)
            ?? throw new RuntimeException(RuntimeErrorKind.Failed, $"exec in {record.Id}: \"{command[0]}\": executable file not found in $PATH");
        var info = new System.Diagnostics.ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            WorkingDirectory = record.WorkingDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in command.Skip(1))
            info.ArgumentList.Add(arg);
        info.Environment.Clear();
        foreach (var (key, value) in record.Env)
            info.Environment[key] = value;
        return SysProcess.Start(info)
            ?? throw new RuntimeException(RuntimeErrorKind.Failed, $"exec in {record.Id}: {command[0]} did not start");
    }

    /// <summary>Gives the command its input, then the end of it. A command that exits without reading it all is no error.</summary>
    private static async Task WriteStdinAsync(SysProcess process, ReadOnlyMemory<byte> stdin, CancellationToken ct)
    {
        try
        {
            if (!stdin.IsEmpty)
                await process.StandardInput.BaseStream.WriteAsync(stdin, ct);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The command closed its stdin (or exited) before reading everything, as `true` or `head -c1` do.
        }
    }
}
