using System.Diagnostics;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>What one run of the granary CLI printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}

/// <summary>Runs the real granary CLI process against a cluster, as a user would.</summary>
public sealed class CliRunner(IReadOnlyDictionary<string, string> environment)
{
    public static CliRunner ForGateway(string gateway, string clusterId) =>
        new(new Dictionary<string, string> { ["GRANARY_GATEWAY"] = gateway, ["GRANARY_CLUSTER_ID"] = clusterId });

    /// <summary>The CLI against a production silo's gateway, as the admin of the fixture's lab certificates.</summary>
    public static CliRunner ForGateway(string gateway, string clusterId, LabPki pki) =>
        new(new Dictionary<string, string>(pki.AdminEnvironment) { ["GRANARY_GATEWAY"] = gateway, ["GRANARY_CLUSTER_ID"] = clusterId });

    public async Task<CliResult> RunAsync(string[] args, string? stdin = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepoPaths.CliDll);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        foreach (var (k, v) in environment)
            info.Environment[k] = v;
        using var process = Process.Start(info)!;
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"granary {string.Join(' ', args)} did not finish in time.\nstdout:\n{await stdout}\nstderr:\n{await stderr}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running CLI command (a watch) as a child process.</summary>
    public ChildProcess Start(params string[] args) =>
        ChildProcess.Start($"granary {string.Join(' ', args)}", "dotnet", [RepoPaths.CliDll, .. args], environment.ToDictionary());
}
