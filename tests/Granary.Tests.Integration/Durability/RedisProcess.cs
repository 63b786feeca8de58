using System.Globalization;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Durability;

/// <summary>
/// A redis-server (or Sentinel) a durability test controls: killed with SIGKILL, restarted on the same port from
/// the same directory (so with its append-only file) or from an emptied one (a Redis that lost its data).
/// </summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private const string Binary = "/usr/bin/redis-server";
    private readonly string[] _extraArgs;
    private readonly bool _sentinel;
    private ChildProcess _process;

    private RedisProcess(int port, string dir, string[] extraArgs, bool sentinel, ChildProcess process)
    {
        Port = port;
        Dir = dir;
        _extraArgs = extraArgs;
        _sentinel = sentinel;
        _process = process;
    }

    public int Port { get; }

    public string Dir { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public ChildProcess Process => _process;

    /// <summary>A redis-server with an append-only file (appendfsync everysec) unless <paramref name="extraArgs"/> say otherwise.</summary>
    public static async Task<RedisProcess> StartAsync(params string[] extraArgs)
    {
        var port = FreePort.Next();
        var dir = Directory.CreateTempSubdirectory("granary-durability-redis-").FullName;
        var process = await LaunchAsync(port, dir, extraArgs, sentinel: false);
        return new RedisProcess(port, dir, extraArgs, sentinel: false, process);
    }

    /// <summary>A redis-server that speaks only TLS on its port, with the given PEM files (and <paramref name="extraArgs"/>).</summary>
    public static async Task<RedisProcess> StartTlsAsync(string certificate, string key, string ca, params string[] extraArgs)
    {
        string[] tls = ["--port", "0", "--tls-port", "{port}", "--tls-cert-file", certificate, "--tls-key-file", key, "--tls-ca-cert-file", ca, "--tls-auth-clients", "no", .. extraArgs];
        return await StartAsync(tls);
    }

    /// <summary>A Sentinel watching <paramref name="primary"/> as <paramref name="service"/>; alone, its quorum is 1.</summary>
    public static async Task<RedisProcess> StartSentinelAsync(RedisProcess primary, string service)
    {
        var port = FreePort.Next();
        var dir = Directory.CreateTempSubdirectory("granary-durability-sentinel-").FullName;
        // Sentinel rewrites its configuration file, so it must be one of its own.
        await File.WriteAllTextAsync(Path.Combine(dir, "sentinel.conf"), $"""
            port {port}
            bind 127.0.0.1
            dir {dir}
            sentinel monitor {service} 127.0.0.1 {primary.Port} 1
            sentinel down-after-milliseconds {service} 1000
            sentinel failover-timeout {service} 10000
            sentinel parallel-syncs {service} 1

            """);
        var process = await LaunchAsync(port, dir, [], sentinel: true);
        return new RedisProcess(port, dir, [], sentinel: true, process);
    }

    private static async Task<ChildProcess> LaunchAsync(int port, string dir, string[] extraArgs, bool sentinel)
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException("redis-server is not installed: run the README's test command (scripts/test.sh), which installs it with apt-get");
        var p = port.ToString(CultureInfo.InvariantCulture);
        string[] args = sentinel
            ? [Path.Combine(dir, "sentinel.conf"), "--sentinel"]
            : ["--port", p, "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", dir, .. extraArgs.Select(a => a == "{port}" ? p : a)];
        var process = ChildProcess.Start($"{(sentinel ? "sentinel" : "redis")}:{port}", Binary, args);
        await process.WaitForLineAsync(sentinel ? "+monitor" : "Ready to accept connections", TimeSpan.FromSeconds(30), $"starting {(sentinel ? "sentinel" : "redis-server")} on {port}");
        return process;
    }

    /// <summary>SIGKILL: Redis dies at once, with whatever its append-only file holds.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>Starts it again on the same port; <paramref name="withoutData"/> empties its directory first.</summary>
    public async Task RestartAsync(bool withoutData)
    {
        await _process.KillAsync();
        await _process.DisposeAsync();
        if (withoutData)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(Dir))
            {
                if (Directory.Exists(entry))
                    Directory.Delete(entry, recursive: true);
                else
                    File.Delete(entry);
            }
        }
        _process = await LaunchAsync(Port, Dir, _extraArgs, _sentinel);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.KillAsync();
        await _process.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
