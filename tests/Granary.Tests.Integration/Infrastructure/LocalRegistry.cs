using System.Diagnostics;
using System.Globalization;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// A private image registry (the Debian docker-registry package, distribution 2.8) on a free 127.0.0.1 port with
/// htpasswd basic authentication, its own storage in a temp directory. dockerd treats 127.0.0.0/8 registries as
/// insecure (plain HTTP) by default, so no certificate is needed. The test command installs it; missing is a failure.
/// </summary>
public sealed class LocalRegistry : IAsyncDisposable
{
    private const string Binary = "/usr/bin/docker-registry";
    private readonly string _dir;
    private readonly ChildProcess _process;

    private LocalRegistry(string dir, ChildProcess process, int port, string user, string password)
    {
        _dir = dir;
        _process = process;
        Host = $"127.0.0.1:{port}";
        User = user;
        Password = password;
    }

    /// <summary>host:port, as an image reference starts (127.0.0.1:PORT/repo:tag).</summary>
    public string Host { get; }

    public string User { get; }

    public string Password { get; }

    public static async Task<LocalRegistry> StartAsync(string user, string password)
    {
        if (!File.Exists(Binary))
            throw new InvalidOperationException("docker-registry is not installed: run the README's test command (scripts/test.sh), which installs it with apt-get");
        var dir = Directory.CreateTempSubdirectory("granary-registry-").FullName;
        var port = FreePort.Next();
        await File.WriteAllTextAsync(Path.Combine(dir, "htpasswd"), await HtpasswdAsync(user, password));
        await File.WriteAllTextAsync(Path.Combine(dir, "config.yml"), string.Create(CultureInfo.InvariantCulture, $"""
            version: 0.1
            log:
              level: info
            storage:
              filesystem:
                rootdirectory: {dir}/data
            http:
              addr: 127.0.0.1:{port}
            auth:
              htpasswd:
                realm: granary-test
                path: {dir}/htpasswd
            """));
        var process = ChildProcess.Start($"docker-registry:{port}", Binary, ["serve", Path.Combine(dir, "config.yml")]);
        await process.WaitForLineAsync("listening on", TimeSpan.FromSeconds(30), "starting docker-registry");
        return new LocalRegistry(dir, process, port, user, password);
    }

    /// <summary>A bcrypt htpasswd line (the registry accepts only bcrypt), made by Apache's htpasswd.</summary>
    private static async Task<string> HtpasswdAsync(string user, string password)
    {
        using var htpasswd = Process.Start(new ProcessStartInfo("htpasswd", ["-Bbn", user, password]) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException("htpasswd (apache2-utils) is not installed");
        var output = await htpasswd.StandardOutput.ReadToEndAsync();
        await htpasswd.WaitForExitAsync();
        return htpasswd.ExitCode == 0 ? output : throw new InvalidOperationException($"htpasswd failed: {await htpasswd.StandardError.ReadToEndAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
