using Docker.DotNet.Models;

namespace Granary.NodeAgent.Runtime.Docker;

/// <summary>Interactive exec and attach: the engine's hijacked streams, open as long as the caller wants.</summary>
public sealed partial class DockerRuntime
{
    public async Task<IStreamSession> ExecStreamAsync(string id, IReadOnlyList<string> command, StreamRequest request, CancellationToken ct)
    {
        var operation = $"exec in {id}";
        // Only creating and starting have a deadline; the session lasts as long as the command.
        var (execId, stream) = await _connection.CallAsync(operation, async (client, token) =>
        {
            var exec = await client.Exec.ExecCreateContainerAsync(id, new ContainerExecCreateParameters
            {
                Cmd = command.ToList(),
                AttachStdin = request.Stdin,
                AttachStdout = request.Stdout,
                AttachStderr = request.Stderr,
                Tty = request.Tty,
            }, token);
            return (exec.ID, await client.Exec.StartAndAttachContainerExecAsync(exec.ID, request.Tty, token));
        }, ct);
        return new DockerStreamSession(stream,
            (width, height, token) => _connection.CallAsync($"resize exec {execId}",
                (c, t) => c.Exec.ResizeContainerExecTtyAsync(execId, Size(width, height), t), token),
            token => ExecExitCodeAsync(execId, token));
    }

    public async Task<IStreamSession> AttachAsync(string id, StreamRequest request, CancellationToken ct)
    {
        var operation = $"attach to {id}";
        var stream = await _connection.CallAsync(operation, async (client, token) =>
        {
            // The stream is raw when the container has a terminal and multiplexed otherwise: the container decides.
            var container = await client.Containers.InspectContainerAsync(id, token);
            if (container.State?.Running != true)
                throw new RuntimeException(RuntimeErrorKind.Conflict, $"container {id} is not running");
            return await client.Containers.AttachContainerAsync(id, container.Config?.Tty == true, new ContainerAttachParameters
            {
                Stream = true,
                Stdin = request.Stdin && container.Config?.OpenStdin == true,
                Stdout = request.Stdout,
                Stderr = request.Stderr,
            }, token);
        }, ct);
        return new DockerStreamSession(stream,
            (width, height, token) => _connection.CallAsync($"resize {id}",
                (c, t) => c.Containers.ResizeContainerTtyAsync(id, Size(width, height), t), token),
            _ => Task.FromResult<int?>(null));
    }

    /// <summary>The output can end a moment before the engine records the exit code: waits for it, within a call's deadline.</summary>
    private Task<int?> ExecExitCodeAsync(string execId, CancellationToken ct) =>
        _connection.CallAsync($"inspect exec {execId}", async (client, token) =>
        {
            var inspect = await client.Exec.InspectContainerExecAsync(execId, token);
            while (inspect.Running)
            {
                await Task.Delay(ExecExitPoll, token);
                inspect = await client.Exec.InspectContainerExecAsync(execId, token);
            }
            return (int?)(int)inspect.ExitCode;
        }, ct);

    private static ContainerResizeParameters Size(int width, int height) =>
        new() { Width = (long)Math.Clamp(width, 1, ushort.MaxValue), Height = (long)Math.Clamp(height, 1, ushort.MaxValue) };
}
