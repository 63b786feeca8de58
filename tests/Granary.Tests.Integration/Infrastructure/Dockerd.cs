using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Docker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// A private dockerd for one test class: its own data root, exec root, pidfile and socket under
/// /tmp/gd-XXXXXXXX, no bridge and no iptables (containers use host networking), and the busybox image
/// imported through the Engine API. Never the system engine, /var/lib/docker or /var/run/docker.sock.
/// The test command installs docker.io; a missing dockerd is a failure, never a skip.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "xUnit disposes fixtures through IAsyncLifetime.DisposeAsync, which disposes _admin.")]
public sealed partial class Dockerd : IAsyncLifetime
{
    public const string Binary = "/usr/sbin/dockerd";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);

    private ChildProcess? _process;
    private DockerRuntime? _admin;

    /// <summary>The temp directory everything of this dockerd lives under.</summary>
    public string Root { get; } = "/tmp/gd-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>unix:///tmp/gd-XXXXXXXX/d.sock</summary>
    public Uri Endpoint => new("unix://" + Path.Combine(Root, "d.sock"));

    public string Image => BusyboxImage.Name;

    public string Output => _process?.Output ?? "";

    public async Task InitializeAsync()
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException($"{Binary} is not installed: run the test command (scripts/test.sh), which installs docker.io with apt-get");
        try
        {
            Directory.CreateDirectory(Root);
            _process = ChildProcess.Start($"dockerd:{Root}", Binary,
            [
                "--data-root", Path.Combine(Root, "data"),
                "--exec-root", Path.Combine(Root, "exec"),
                "--pidfile", Path.Combine(Root, "d.pid"),
                "-H", Endpoint.ToString(),
                "--storage-driver", "overlay2",
                "--iptables=false", "--ip6tables=false", "--bridge=none", "--ip-forward=false", "--ip-masq=false",
                "--shutdown-timeout", "2",
            ]);
            _admin = new DockerRuntime(Endpoint, NullLogger.Instance, callTimeout: TimeSpan.FromSeconds(5));
            await WaitUntilReadyAsync(_admin);
            using var import = new CancellationTokenSource(StartTimeout);
            await BusyboxImage.ImportBusyboxAsync(Endpoint, import.Token);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilReadyAsync(DockerRuntime admin)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_process!.HasExited)
                throw new InvalidOperationException($"starting dockerd: it exited with code {_process.ExitCode} before answering. Its log:\n{_process.Output}");
            try
            {
                await admin.VersionAsync(CancellationToken.None);
                return;
            }
            catch (RuntimeException e) when (e.Kind is RuntimeErrorKind.Unavailable or RuntimeErrorKind.Timeout)
            {
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"starting dockerd: {Endpoint} did not answer within {StartTimeout.TotalSeconds:0}s ({e.Message}). Its log:\n{_process.Output}", e);
            }
            await Task.Delay(25);
        }
    }

    public async Task DisposeAsync()
    {
        if (_admin is not null)
        {
            await RemoveAllContainersAsync(_admin);
            _admin.Dispose();
        }
        if (_process is not null)
        {
            // SIGTERM lets dockerd stop containerd and the shims; SIGKILL (after the grace) would orphan them.
            await _process.StopAsync(StopGrace);
            await _process.DisposeAsync();
        }
        // dockerd leaves <exec-root>/netns/default mounted; nothing under Root may stay mounted before deleting it.
        Granary.Tools.MountCleanup.UnmountAllUnder(Root);
        if (Directory.Exists(Root))
            Directory.Delete(Root, recursive: true);
    }

    private async Task RemoveAllContainersAsync(DockerRuntime admin)
    {
        // Force-removed first, so dockerd does not spend its shutdown stopping them one by one.
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            foreach (var container in await admin.ListAsync(new Dictionary<string, string>(), cts.Token))
                await admin.RemoveAsync(container.Id, cts.Token);
        }
        catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.Unavailable)
        {
            // dockerd is already gone (it failed to start, or crashed): its containers went with it.
        }
    }
}
