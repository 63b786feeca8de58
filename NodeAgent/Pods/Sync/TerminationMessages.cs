using System.Text;
using Granary.Model;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Docker;
using Microsoft.Extensions.Options;

namespace Granary.NodeAgent.Pods.Sync;

/// <summary>
/// terminationMessagePath and terminationMessagePolicy, as the kubelet: each container instance gets a file of its own
/// (under the state directory, per pod uid, container and attempt) mounted at its terminationMessagePath; after it
/// exits, the file (at most 4096 bytes) is its state.terminated.message. With FallbackToLogsOnError an empty file of
/// a failed container gives way to the tail of its log (80 lines, 2048 bytes). The files go with the pod.
/// Only the docker driver mounts files; with the process driver (host processes, no mounts) only the log fallback applies.
/// </summary>
public sealed class TerminationMessages(IContainerRuntime runtime, IOptions<AgentSettings> settings)
{
    public const string DefaultPath = "/dev/termination-log";
    private const int MaxMessageBytes = 4096;
    private const int FallbackLines = 80;
    private const int FallbackBytes = 2048;

    private bool Mounts => runtime.Driver() is DockerRuntime;

    private string PodDir(string uid) => Path.Combine(settings.Value.StateDir, "pods", uid, "termination");

    private string FileOf(string uid, string container, int attempt) =>
        Path.Combine(PodDir(uid), container, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The mount for a new instance (its file created empty and writable by any user in the container); none without mounts.</summary>
    public IReadOnlyList<Runtime.VolumeMount> MountFor(Pod pod, Container spec, int attempt)
    {
        if (!Mounts)
            return [];
        var file = FileOf(pod.Metadata.Uid!, spec.Name, attempt);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, []);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(file, (UnixFileMode)0b110_110_110);
        return [new Runtime.VolumeMount(file, string.IsNullOrEmpty(spec.TerminationMessagePath) ? DefaultPath : spec.TerminationMessagePath, ReadOnly: false)];
    }

    /// <summary>The message of an exited instance: its file, else (FallbackToLogsOnError, failed) its log's tail; null when none.</summary>
    public async Task<string?> ReadAsync(Pod pod, Container spec, ContainerInfo exited, CancellationToken ct)
    {
        if (Mounts && File.Exists(FileOf(pod.Metadata.Uid!, spec.Name, ContainerNaming.AttemptOf(exited))))
        {
            await using var file = File.OpenRead(FileOf(pod.Metadata.Uid!, spec.Name, ContainerNaming.AttemptOf(exited)));
            var buffer = new byte[MaxMessageBytes];
            var read = await file.ReadAtLeastAsync(buffer, MaxMessageBytes, throwOnEndOfStream: false, ct);
            if (read > 0)
                return Encoding.UTF8.GetString(buffer, 0, read);
        }
        if (spec.TerminationMessagePolicy != "FallbackToLogsOnError" || exited.ExitCode is 0 or null)
            return null;
        var lines = new List<string>();
        await foreach (var line in runtime.ReadLogsAsync(exited.Id, new LogOptions { Tail = FallbackLines }, ct))
            lines.Add(line.Text);
        var text = string.Join('\n', lines);
        return text.Length > FallbackBytes ? text[^FallbackBytes..] : text;
    }

    /// <summary>Removes the pod's files (the pod is gone). Idempotent.</summary>
    public void Forget(string uid)
    {
        var dir = PodDir(uid);
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
    }
}
