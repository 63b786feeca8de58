using System.Diagnostics;

namespace Granary.Tests.Unit.NodeAgent.Systemd;

/// <summary>
/// The shipped unit files, checked by systemd's own parser. systemd-analyze verify works offline, without
/// systemd as PID 1; it reports unknown keys and bad values only as warnings on stderr (exit code still 0),
/// so both must be clean. It checks that ExecStart's program exists, so each unit is verified as installed: in a
/// root of its own (--root) that holds systemd's units, the unit in /etc/systemd/system and a stand-in executable
/// where deploy/install.sh puts the binary.
/// </summary>
public sealed class UnitFileTests : IDisposable
{
    private const string SystemdAnalyze = "/usr/bin/systemd-analyze";
    private static readonly string Deploy = Path.Combine(RepoRoot(), "deploy", "systemd");
    private static readonly string[] SystemUnitFolders = ["/usr/lib/systemd/system", "/lib/systemd/system"];
    private static readonly string[] Programs = ["granary-agent", "granary-silo"];
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("granary-unit-");

    public UnitFileTests()
    {
        // systemd's own units (sysinit.target, network-online.target…) must be inside the root too.
        var systemUnits = SystemUnitFolders.FirstOrDefault(Directory.Exists)
            ?? throw new InvalidOperationException("systemd's units are missing: install the systemd package (apt-get install systemd)");
        CopyDirectory(systemUnits, Path.Combine(_root.FullName, "usr", "lib", "systemd", "system"));
        Directory.CreateDirectory(Path.Combine(_root.FullName, "etc", "systemd", "system"));
        var bin = Directory.CreateDirectory(Path.Combine(_root.FullName, "usr", "local", "bin")).FullName;
        foreach (var program in Programs)
        {
            var path = Path.Combine(bin, program);
            File.WriteAllText(path, "#!/bin/sh\n");
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose() => _root.Delete(recursive: true);

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link)
                File.CreateSymbolicLink(target, link);
            else if (entry is DirectoryInfo)
                CopyDirectory(entry.FullName, target);
            else
                File.Copy(entry.FullName, target);
        }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no Orleans.sln above {AppContext.BaseDirectory}");
    }

    private static string UnitFile(string unit) => Path.Combine(Deploy, unit);

    /// <summary>Installs <paramref name="text"/> as /etc/systemd/system/<paramref name="unit"/> in the root and verifies it.</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr)> Verify(string unit, string text)
    {
        Assert.True(File.Exists(SystemdAnalyze), $"{SystemdAnalyze} is missing: install the systemd package (apt-get install systemd)");
        var installed = Path.Combine(_root.FullName, "etc", "systemd", "system", unit);
        await File.WriteAllTextAsync(installed, text);
        using var process = Process.Start(new ProcessStartInfo(SystemdAnalyze, ["verify", $"--root={_root.FullName}", installed])
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
    private static List<(string Key, string Value)> Section(string unit, string name)
    {
        var result = new List<(string, string)>();
        string? section = null;
        foreach (var raw in File.ReadAllLines(UnitFile(unit)))
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

    [Theory]
    [InlineData("granary-agent.service")]
    [InlineData("granary-silo.service")]
    public async Task Verify_ShippedUnit_ExitsZeroWithNothingOnStderr(string unit)
    {
        var (exitCode, stdout, stderr) = await Verify(unit, await File.ReadAllTextAsync(UnitFile(unit)));

        Assert.True(exitCode == 0 && stderr.Length == 0 && stdout.Length == 0,
            $"systemd-analyze verify {unit}: exit {exitCode}\nstderr: {stderr}\nstdout: {stdout}");
    }

    [Theory]
    // A mistake systemd-analyze must catch, so that the clean result above means something.
    [InlineData("granary-agent.service", "Restart=on-failure", "Restartt=on-failure", 0, "Unknown key 'Restartt' in section [Service], ignoring.")]
    [InlineData("granary-agent.service", "WatchdogSec=30s", "WatchdogSec=half a minute", 0, "half a minute")]
    [InlineData("granary-agent.service", "ExecStart=/usr/local/bin/granary-agent", "ExecStart=/usr/local/bin/no-such-agent", 1,
        "Command /usr/local/bin/no-such-agent is not executable")]
    [InlineData("granary-silo.service", "ProtectSystem=strict", "ProtectSystem=very", 0, "Failed to parse protect system value, ignoring: very")]
    [InlineData("granary-silo.service", "WatchdogSec=30s", "WatchdogSec=half a minute", 0, "half a minute")]
    [InlineData("granary-silo.service", "ExecStart=/usr/local/bin/granary-silo", "ExecStart=/usr/local/bin/no-such-silo", 1,
        "Command /usr/local/bin/no-such-silo is not executable")]
    public async Task Verify_BrokenCopy_Complains(string unit, string good, string bad, int exitCode, string complaint)
    {
        var text = await File.ReadAllTextAsync(UnitFile(unit));
        Assert.Contains(good, text, StringComparison.Ordinal);

        var result = await Verify(unit, text.Replace(good, bad, StringComparison.Ordinal));

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(complaint, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AgentService_NotifyWatchdogRestartAndStop_AsDesigned()
    {
        var service = Section("granary-agent.service", "Service");

        foreach (var expected in new[]
        {
            ("Type", "notify"),
            ("NotifyAccess", "main"),
            ("EnvironmentFile", "-/etc/granary/agent.env"),
            ("ExecStart", "/usr/local/bin/granary-agent $GRANARY_AGENT_ARGS"),
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
    public void SiloService_NotifyWatchdogRestartStateAndHardening_AsDesigned()
    {
        var service = Section("granary-silo.service", "Service");

        foreach (var expected in new[]
        {
            ("Type", "notify"),
            ("NotifyAccess", "main"),
            ("EnvironmentFile", "-/etc/granary/silo.env"),
            ("ExecStart", "/usr/local/bin/granary-silo $GRANARY_SILO_ARGS"),
            ("WatchdogSec", "30s"),
            ("Restart", "on-failure"),
            ("User", "granary"),
            ("StateDirectory", "granary/silo"),
            ("Environment", "GRANARY_KUBECONFIG=/var/lib/granary/silo/kubeconfig"),
            ("NoNewPrivileges", "yes"),
            ("ProtectSystem", "strict"),
            ("CapabilityBoundingSet", ""),
        })
        {
            Assert.Contains(expected, service);
        }
        // The .NET JIT writes executable memory.
        Assert.DoesNotContain(service, s => s.Key == "MemoryDenyWriteExecute");
        // The silo's watchdog allowance for membership (20 s) must fit inside WatchdogSec.
        Assert.True(Granary.Silo.Systemd.SiloServiceState.Allowance < TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("granary-agent.service", "network-online.target docker.service")]
    [InlineData("granary-silo.service", "network-online.target redis-server.service redis-sentinel.service")]
    public void Unit_StartsAfterItsDependenciesAndIsWantedAtBoot(string unit, string after)
    {
        var section = Section(unit, "Unit");

        Assert.Contains(("After", after), section);
        Assert.Contains(section, u => u.Key == "Wants" && u.Value.StartsWith("network-online.target", StringComparison.Ordinal));
        Assert.DoesNotContain(section, u => u.Key == "Requires");
        Assert.Equal([("WantedBy", "multi-user.target")], Section(unit, "Install"));
    }

    [Theory]
    [InlineData("agent.env.example")]
    [InlineData("silo.env.example")]
    public void EnvironmentExample_EveryActiveLineIsAGranarySetting(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(Deploy, file))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();

        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Matches("^GRANARY_[A-Za-z_]+=[^\"' ]+$", l));
    }
}
