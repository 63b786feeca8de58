using System.Diagnostics;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// Runs the real kubectl against a silo's API with the silo's kubeconfig and a private discovery cache, as a user
/// would. <c>/usr/bin/kubectl</c> may be the Cloud SDK dispatcher, which picks the kubectl matching the server's
/// minor version; <paramref name="binary"/> runs one bundled version directly.
/// </summary>
public sealed class Kubectl(string kubeconfig, string cacheDir, string binary = "kubectl")
{
    private static readonly string[] BundleDirs = ["/usr/lib/google-cloud-sdk/bin", "/usr/bin"];

    /// <summary>The bundled kubectl of one minor version (Cloud SDK layout), or null when it is not installed.</summary>
    public static string? Versioned(string minor) =>
        BundleDirs
            .Select(dir => Path.Combine(dir, $"kubectl.{minor}"))
            .FirstOrDefault(File.Exists);

    public Kubectl WithBinary(string path) => new(kubeconfig, cacheDir, path);

    /// <summary>
    /// This kubectl as the bundled binary of one minor version; null when it is not installed, which fails the test
    /// under CI=true (a missing real part is a failure there, never a skip).
    /// </summary>
    public Kubectl? WithVersion(string minor)
    {
        if (Versioned(minor) is { } binary)
            return WithBinary(binary);
        Assert.False(Environment.GetEnvironmentVariable("CI") == "true", $"kubectl.{minor} (Cloud SDK bundle) is not installed");
        return null;
    }

    public Task<CliResult> RunAsync(params string[] args) => RunCoreAsync(stdin: null, args);

    /// <summary>Runs kubectl with <paramref name="stdin"/> as its input, then the end of it, as <c>echo … | kubectl …</c>.</summary>
    public Task<CliResult> RunWithStdinAsync(string stdin, params string[] args) => RunCoreAsync(stdin, args);

    /// <summary>Runs kubectl with extra environment variables (e.g. KUBE_EDITOR for kubectl edit).</summary>
    public Task<CliResult> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunCoreAsync(null, args, environment);

    private async Task<CliResult> RunCoreAsync(string? stdin, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = Info(args);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        using var process = Process.Start(info)!;
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish in 60s.\nstdout:\n{await stdout}\nstderr:\n{await stderr}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running kubectl (a watch) as a child process.</summary>
    public ChildProcess Start(params string[] args) =>
        ChildProcess.Start($"kubectl {string.Join(' ', args)}", binary, [.. Common, .. args]);

    /// <summary>The full command line (binary, kubeconfig, cache, then <paramref name="args"/>), for running kubectl under another program.</summary>
    public IReadOnlyList<string> CommandLine(params string[] args) => [binary, .. Common, .. args];

    private string[] Common => ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir];

    private ProcessStartInfo Info(string[] args)
    {
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in Common.Concat(args))
            info.ArgumentList.Add(a);
        return info;
    }
}
