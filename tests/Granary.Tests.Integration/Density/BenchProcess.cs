using System.Diagnostics;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Density;

/// <summary>
/// One run of the benchmark command as a user runs it (bench/Granary.Bench, Release build from the solution's Release
/// build), writing its files into a scratch folder of its own (<c>--output</c>), which disposing removes. Past the limit
/// the command is sent SIGTERM, so it stops the silo, Redis and hollow processes it started, and the caller's
/// assertion reports where it was.
/// </summary>
internal sealed class BenchProcess(string output, int exitCode, string stdout, string stderr) : IDisposable
{
    /// <summary>The folder the command wrote its CSV files and charts into.</summary>
    public string Output => output;

    public int ExitCode => exitCode;

    public string Stdout => stdout;

    public string Stderr => stderr;

    /// <summary>The last lines of the output, for assertion messages.</summary>
    public string Tail => Stdout.Length <= 3000 ? Stdout : Stdout[^3000..];

    /// <summary>What a failed run said: exit code, standard error and the output's tail.</summary>
    public string Describe() => $"exit code {ExitCode}; stderr: {Stderr}\nstdout tail: {Tail}";

    public static async Task<BenchProcess> RunAsync(IEnumerable<string> arguments, TimeSpan limit)
    {
        var bench = Path.Combine(RepoPaths.Root, "bench", "Granary.Bench", "bin", "Release", "net10.0", "Granary.Bench.dll");
        Assert.True(File.Exists(bench), $"{bench} is not built; build the solution in Release first (dotnet build Orleans.sln -c Release)");
        var folder = Directory.CreateTempSubdirectory("granary-bench-test-").FullName;
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments.Prepend(bench).Append("--output").Append(folder))
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var reading = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            using (var term = Process.Start("kill", ["-TERM", $"{process.Id}"]))
                await term.WaitForExitAsync();
            await process.WaitForExitAsync();
        }
        return new BenchProcess(folder, process.ExitCode, await reading, await errors);
    }

    public void Dispose() => ScratchDirectory.Remove(Output);
}
