using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using SysProcess = System.Diagnostics.Process;

namespace Granary.NodeAgent.Runtime.Process;

/// <summary>Watching runs end, adopting runs after a restart, and carrying output into the log.</summary>
public sealed partial class ProcessRuntime
{
    private void Load(string dir)
    {
        ProcessRecord? record;
        try
        {
            record = ProcessRecordFile.Load(dir);
        }
        catch (JsonException e)
        {
            LogUnreadableRecord(_logger, dir, e.Message);
            return;
        }
        if (record is null)
            return;
        var container = new Container(dir, record, _time);
        lock (_lock)
            _containers[record.Id] = container;
        if (record.State != ContainerRunState.Running)
            return;
        if (record is { Pid: { } pid, PidStartTicks: { } ticks } && HostProcess.IsAlive(pid, ticks))
        {
            container.Begin(child: null);
            // The pumps own the FIFOs' read ends: OutputPump.RunAsync closes each when it ends.
#pragma warning disable CA2000
            container.Pumps = StartPumps(container,
                HostProcess.OpenFifoForReading(Path.Combine(dir, StdoutFifo)),
                HostProcess.OpenFifoForReading(Path.Combine(dir, StderrFifo)));
#pragma warning restore CA2000
            _ = WatchAdoptedAsync(container, pid, ticks);
            LogAdopted(_logger, record.Id, pid);
            return;
        }
        Update(container, record with
        {
            State = ContainerRunState.Exited,
            ExitCode = UnknownExitCode,
            FinishedAt = _time.GetUtcNow(),
            Error = "the process ended while no agent was running; its exit code is unknown",
        });
        LogGoneWhileAway(_logger, record.Id, record.Pid);
    }

    private Task StartPumps(Container container, SafeFileHandle stdout, SafeFileHandle stderr) => Task.WhenAll(
        Task.Run(() => OutputPump.RunAsync(stdout, LogStream.Stdout, container.Log, () => container.ProcessGone, _stopping.Token)),
        Task.Run(() => OutputPump.RunAsync(stderr, LogStream.Stderr, container.Log, () => container.ProcessGone, _stopping.Token)));

    private async Task WatchChildAsync(Container container, SysProcess child)
    {
        try
        {
            await child.WaitForExitAsync(_stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return; // the agent is stopping; the process runs on for the next one to adopt
        }
        await FinishAsync(container, child.ExitCode, null);
    }

    private async Task WatchAdoptedAsync(Container container, int pid, ulong ticks)
    {
        try
        {
            // Not our child: no exit notification comes, so look at /proc.
            while (HostProcess.IsAlive(pid, ticks))
                await Task.Delay(AdoptedPoll, _time, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        await FinishAsync(container, UnknownExitCode, "the process was adopted after an agent restart; only its parent learns its exit code");
    }

    /// <summary>The run is over: like a container whose PID 1 exited, what it left behind is killed; then the output drains and the record says Exited.</summary>
    private async Task FinishAsync(Container container, int exitCode, string? error)
    {
        var record = container.Record;
        container.MarkProcessGone();
        // Group only: a pid is never reused while its process group lives, so this cannot hit a stranger.
        if (record.Pid is { } pid)
            HostProcess.KillGroup(pid, HostProcess.SigKill);
        try
        {
            await container.Pumps.WaitAsync(DrainWait);
        }
        catch (TimeoutException)
        {
            LogOutputNotDrained(_logger, record.Id, DrainWait.TotalSeconds);
        }
        if (_stopping.IsCancellationRequested)
            return;
        lock (container.Gate)
        {
            Update(container, container.Record with { State = ContainerRunState.Exited, ExitCode = exitCode, FinishedAt = _time.GetUtcNow(), Error = error });
        }
        container.MarkExited();
        LogExited(_logger, record.Id, exitCode);
    }

    /// <summary>Signals the container's processes if its process is still the one it started; false when it has gone.</summary>
    private static bool SignalIfAlive(Container container, int signal)
    {
        if (container.Record is not { State: ContainerRunState.Running, Pid: { } pid } record)
            return false;
        if (record.PidStartTicks is { } ticks && !HostProcess.IsAlive(pid, ticks))
            return false;
        return HostProcess.SignalGroup(pid, signal);
    }
}
