namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// A private redis-server on a free loopback port with its own temp directory, for one test class.
/// The test command installs redis-server; a missing one is a failure, never a skip.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private static readonly string[] Binaries = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];
    private ChildProcess? _process;
    private string? _dir;

    public int Port { get; } = FreePort.Next();

    public string Endpoint => $"127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        var binary = Binaries.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed: run the README's test command (scripts/test.sh), which installs it with apt-get");
        _dir = Directory.CreateTempSubdirectory("granary-redis-").FullName;
        _process = ChildProcess.Start($"redis-server:{Port}", binary,
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", _dir, "--protected-mode", "yes"]);
        await _process.WaitForLineAsync("Ready to accept connections", TimeSpan.FromSeconds(30), "starting redis-server");
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
            await _process.DisposeAsync();
        LabPki.Release(Endpoint);
        if (_dir is not null)
            Directory.Delete(_dir, recursive: true);
    }
}
