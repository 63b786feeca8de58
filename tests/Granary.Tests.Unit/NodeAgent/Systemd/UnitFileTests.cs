using System.Diagnostics;

namespace Granary.Tests.Unit.NodeAgent.Systemd;

/// <summary>
/// The shipped unit file, checked by systemd's own parser. systemd-analyze verify works offline, without
/// systemd as PID 1; it reports unknown keys and bad values only as warnings on stderr (exit code still 0),
/// so both must be clean. It checks that ExecStart's program exists (/usr/bin/dotnet), not its arguments.
/// </summary>
public sealed class UnitFileTests : IDisposable
{
    private const string SystemdAnalyze = "/usr/bin/systemd-analyze";
    private static readonly string Deploy = Path.Combine(RepoRoot(), "deploy", "systemd");
    private static readonly string UnitFile = Path.Combine(Deploy, "granary-agent.service");
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("granary-unit-");

    public void Dispose() => _temp.Delete(recursive: true);

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no Orleans.sln above {AppContext.BaseDirectory}");
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> Verify(string unitPath)
    {
        Assert.True(File.Exists(SystemdAnalyze), $"{SystemdAnalyze} is missing: install the systemd package (apt-get install systemd)");
        using var process = Process.Start(new ProcessStartInfo(SystemdAnalyze, ["verify", unitPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The unit file's keys in a section, in order.</summary>
    private static List<(string Key, string Value)> Section(string name)
    {
        var result = new List<(string, string)>();
        string? section = null;
        foreach (var raw in File.ReadAllLines(UnitFile))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            if (line.StartsWith('['))
                section = line.Trim('[', ']');
            else if (section == name)
                result.Add((line[..line.IndexOf('=', StringComparison.Ordinal)], line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..]));
        }
        return result;
    }

    [Fact]
    public async Task Verify_ShippedUnit_ExitsZeroWithNothingOnStderr()
    {
        var (exitCode, stdout, stderr) = await Verify(UnitFile);

        Assert.True(exitCode == 0 && stderr.Length == 0 && stdout.Length == 0,
            $"systemd-analyze verify {UnitFile}: exit {exitCode}\nstderr: {stderr}\nstdout: {stdout}");
    }

    [Theory]
    // A mistake systemd-analyze must catch, so that the clean result above means something.
    [InlineData("Restart=on-failure", "Restartt=on-failure", 0, "Unknown key 'Restartt' in section [Service], ignoring.")]
    [InlineData("WatchdogSec=30s", "WatchdogSec=half a minute", 0, "half a minute")]
    [InlineData("ExecStart=/usr/bin/dotnet", "ExecStart=/usr/bin/no-such-dotnet", 1, "Command /usr/bin/no-such-dotnet is not executable")]
    public async Task Verify_BrokenCopy_Complains(string good, string bad, int exitCode, string complaint)
    {
        var copy = Path.Combine(_temp.FullName, "granary-agent.service");
        var text = await File.ReadAllTextAsync(UnitFile);
        Assert.Contains(good, text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(copy, text.Replace(good, bad, StringComparison.Ordinal));

        var result = await Verify(copy);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(complaint, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Service_NotifyWatchdogRestartAndStop_AsDesigned()
    {
        var service = Section("Service");

        foreach (var expected in new[]
        {
            ("Type", "notify"),
            ("NotifyAccess", "main"),
            ("EnvironmentFile", "-/etc/granary/agent.env"),
            ("ExecStart", "/usr/bin/dotnet /opt/granary/agent/Granary.NodeAgent.dll"),
            ("WatchdogSec", "30s"),
            ("Restart", "on-failure"),
            ("RestartSec", "2s"),
            ("TimeoutStopSec", "45s"),
            ("KillMode", "mixed"),
        })
        {
            Assert.Contains(expected, service);
        }
        // The .NET JIT writes executable memory; a private /tmp would hide emptyDir paths from dockerd.
        Assert.DoesNotContain(service, s => s.Key is "MemoryDenyWriteExecute" or "PrivateTmp" or "ProtectSystem" or "User");
    }

    [Fact]
    public void Unit_StartsAfterNetworkAndDockerAndIsWantedAtBoot()
    {
        var unit = Section("Unit");

        Assert.Contains(("After", "network-online.target docker.service"), unit);
        Assert.Contains(("Wants", "network-online.target docker.service"), unit);
        Assert.DoesNotContain(unit, u => u.Key == "Requires");
        Assert.Equal([("WantedBy", "multi-user.target")], Section("Install"));
    }

    [Fact]
    public void EnvironmentExample_EveryActiveLineIsAGranarySetting()
    {
        var lines = File.ReadAllLines(Path.Combine(Deploy, "agent.env.example"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();

        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Matches("^GRANARY_[A-Za-z_]+=[^\"' ]+$", l));
    }
}
