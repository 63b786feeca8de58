using System.Diagnostics;
using System.Security.Cryptography;

namespace Granary.Tests.Unit.Deploy;

/// <summary>
/// deploy/install.sh and deploy/uninstall.sh run for real, under DESTDIR (a root of the test's own), with stand-in
/// release binaries: what lands where, with which modes, that a second run changes nothing, that an operator's env
/// file is kept, and that the installed units pass systemd-analyze verify in that root.
/// </summary>
public sealed class InstallScriptTests : IDisposable
{
    private static readonly string Repo = RepoRoot();
    private static readonly string Install = Path.Combine(Repo, "deploy", "install.sh");
    private static readonly string Uninstall = Path.Combine(Repo, "deploy", "uninstall.sh");
    private static readonly string[] Binaries = ["granary-silo", "granary-agent", "granary"];
    private static readonly string[] SystemUnitFolders = ["/usr/lib/systemd/system", "/lib/systemd/system"];
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("granary-install-");
    private readonly string _root;
    private readonly string _release;

    public InstallScriptTests()
    {
        _root = Directory.CreateDirectory(Path.Combine(_temp.FullName, "root")).FullName;
        _release = Directory.CreateDirectory(Path.Combine(_temp.FullName, "release")).FullName;
        foreach (var binary in Binaries)
            WriteBinary(binary, "1");
    }

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

    private void WriteBinary(string name, string build) =>
        File.WriteAllText(Path.Combine(_release, name), $"#!/bin/sh\necho {name} build {build}\n");

    private string InRoot(string path) => Path.Combine(_root, path.TrimStart('/'));

    private static async Task<(int ExitCode, string Output)> Run(string program, IEnumerable<string> args, string? destdir)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        if (destdir is not null)
            info.Environment["DESTDIR"] = destdir;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    private Task<(int ExitCode, string Output)> InstallAsync(params string[] args) => Run(Install, ["--from", _release, .. args], _root);

    private async Task<(int ExitCode, string Output)> InstalledAsync(params string[] args)
    {
        var result = await InstallAsync(args);
        Assert.True(result.ExitCode == 0, $"install.sh {string.Join(' ', args)}: exit {result.ExitCode}\n{result.Output}");
        return result;
    }

    /// <summary>Every file under the root with its mode and a hash of its content.</summary>
    private Dictionary<string, string> Tree() =>
        Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(_root, f),
            f => $"{(OperatingSystem.IsWindows() ? "" : File.GetUnixFileMode(f).ToString())} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}");

    [Fact]
    public async Task Install_Silo_PutsBinariesUnitEnvAndUninstallerInPlace()
    {
        var (_, output) = await InstalledAsync("--role", "silo");

        Assert.Contains("granary-silo build 1", File.ReadAllText(InRoot("/usr/local/bin/granary-silo")), StringComparison.Ordinal);
        Assert.True(File.Exists(InRoot("/usr/local/bin/granary")));
        Assert.False(File.Exists(InRoot("/usr/local/bin/granary-agent")));
        Assert.Equal(File.ReadAllText(Path.Combine(Repo, "deploy", "systemd", "granary-silo.service")), File.ReadAllText(InRoot("/etc/systemd/system/granary-silo.service")));
        Assert.Equal(File.ReadAllText(Path.Combine(Repo, "deploy", "systemd", "silo.env.example")), File.ReadAllText(InRoot("/etc/granary/silo.env")));
        Assert.True(File.Exists(InRoot("/usr/local/bin/granary-uninstall.sh")));
        if (!OperatingSystem.IsWindows())
        {
            var executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            Assert.Equal(executable, File.GetUnixFileMode(InRoot("/usr/local/bin/granary-silo")));
            // The env file may hold a Redis password: not readable by others.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(InRoot("/etc/granary/silo.env")));
        }
        Assert.Contains("no user created, no service enabled or started", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_Twice_ChangesNothingAndKeepsTheOperatorsEnvFile()
    {
        await InstalledAsync("--role", "agent");
        File.AppendAllText(InRoot("/etc/granary/agent.env"), "GRANARY_NODENAME=worker-7\n");
        var before = Tree();

        var (_, output) = await InstalledAsync("--role", "agent");

        Assert.Equal(before, Tree());
        Assert.DoesNotContain("installed", output, StringComparison.Ordinal);
        Assert.Contains($"kept      {InRoot("/etc/granary/agent.env")}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_NewRelease_ReplacesOnlyTheBinaryThatChanged()
    {
        await InstalledAsync("--role", "agent");
        WriteBinary("granary-agent", "2");

        var (_, output) = await InstalledAsync("--role", "agent");

        Assert.Contains("granary-agent build 2", File.ReadAllText(InRoot("/usr/local/bin/granary-agent")), StringComparison.Ordinal);
        Assert.Equal([$"installed {InRoot("/usr/local/bin/granary-agent")}"], output.Split('\n').Where(l => l.StartsWith("installed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Install_EnvFileGiven_ReplacesTheOneThere()
    {
        await InstalledAsync("--role", "silo");
        var mine = Path.Combine(_temp.FullName, "silo.env");
        File.WriteAllText(mine, "GRANARY_REDIS=127.0.2.10:6379\n");

        await InstalledAsync("--role", "silo", "--env-file", mine);

        Assert.Equal("GRANARY_REDIS=127.0.2.10:6379\n", File.ReadAllText(InRoot("/etc/granary/silo.env")));
    }

    [Theory]
    [InlineData(new string[0], "error: --role is required")]
    [InlineData(new[] { "--role", "master" }, "error: --role master is not a role")]
    [InlineData(new[] { "--role" }, "error: --role needs silo or agent")]
    [InlineData(new[] { "--role", "silo", "--colour" }, "error: unknown argument --colour")]
    public async Task Install_BadArguments_ExitTwoSayingWhatToWrite(string[] args, string message)
    {
        var (exitCode, output) = await InstallAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(InRoot("/usr")));
    }

    [Fact]
    public async Task Install_ReleaseMissing_SaysHowToBuildIt()
    {
        File.Delete(Path.Combine(_release, "granary-silo"));

        var (exitCode, output) = await InstallAsync("--role", "silo");

        Assert.Equal(1, exitCode);
        Assert.Contains("granary-silo is missing: build the release first (scripts/release.sh)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstalledUnits_PassSystemdAnalyzeVerifyInTheRoot()
    {
        await InstalledAsync("--role", "silo");
        await InstalledAsync("--role", "agent");
        var systemUnits = SystemUnitFolders.FirstOrDefault(Directory.Exists)
            ?? throw new InvalidOperationException("systemd's units are missing: install the systemd package (apt-get install systemd)");
        foreach (var unit in Directory.EnumerateFiles(systemUnits))
        {
            var target = InRoot(Path.Combine("/usr/lib/systemd/system", Path.GetFileName(unit)));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (new FileInfo(unit).LinkTarget is { } link)
                File.CreateSymbolicLink(target, link);
            else
                File.Copy(unit, target);
        }

        foreach (var unit in new[] { "granary-silo.service", "granary-agent.service" })
        {
            var (exitCode, output) = await Run("/usr/bin/systemd-analyze", ["verify", $"--root={_root}", InRoot($"/etc/systemd/system/{unit}")], null);
            Assert.True(exitCode == 0 && output.Length == 0, $"systemd-analyze verify {unit} as installed: exit {exitCode}\n{output}");
        }
    }

    [Fact]
    public async Task Uninstall_RoleByRole_KeepsSharedFilesUntilTheLastAndSettingsUnlessPurged()
    {
        await InstalledAsync("--role", "silo");
        await InstalledAsync("--role", "agent");
        var uninstaller = InRoot("/usr/local/bin/granary-uninstall.sh");

        var silo = await Run(uninstaller, ["--role", "silo"], _root);
        Assert.Equal(0, silo.ExitCode);
        Assert.False(File.Exists(InRoot("/usr/local/bin/granary-silo")));
        Assert.False(File.Exists(InRoot("/etc/systemd/system/granary-silo.service")));
        Assert.True(File.Exists(InRoot("/usr/local/bin/granary")));
        Assert.True(File.Exists(uninstaller));

        var agent = await Run(uninstaller, [], _root);
        Assert.Equal(0, agent.ExitCode);
        Assert.Equal(["etc/granary/agent.env", "etc/granary/silo.env"], Tree().Keys.Order(StringComparer.Ordinal));

        await InstalledAsync("--role", "agent");
        var purge = await Run(Uninstall, ["--purge"], _root);
        Assert.Equal(0, purge.ExitCode);
        Assert.Empty(Tree());
        Assert.False(Directory.Exists(InRoot("/etc/granary")));
    }
}
