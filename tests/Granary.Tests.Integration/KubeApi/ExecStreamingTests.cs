using System.Text;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>One node (block 50) on a private dockerd, and a busybox pod that sleeps, for the exec tests to run in.</summary>
public sealed class ExecStreamingCluster() : MultiNodeCluster([new ClusterNode("exec-a", 50)]), IAsyncLifetime
{
    public const string Pod = "shell";

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        var apply = await Kubectl.RunWithStdinAsync($"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: {Pod}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: local/busybox:1
                command: [sleep, "3600"]
            """, "apply", "-f", "-");
        Assert.True(apply.ExitCode == 0, $"kubectl apply of pod {Pod} failed: {apply}");
        var ready = await Kubectl.RunAsync("wait", $"pod/{Pod}", "--for=condition=Ready", "--timeout=55s");
        Assert.True(ready.ExitCode == 0, $"pod {Pod} did not become Ready: {ready}\n{RecentOutput()}");
    }
}

/// <summary>
/// kubectl exec, attach and cp through the silo and the agent's server against containers in docker: output streamed
/// as the command produces it, stdin from a pipe, a terminal with resizes, an attached `kubectl run -it`, files
/// copied both ways, and the WebSocket protocol of kubectl 1.30 and 1.33.
/// </summary>
public sealed class ExecStreamingTests(ExecStreamingCluster cluster) : IClassFixture<ExecStreamingCluster>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    private Kubectl Kubectl => cluster.Kubectl;

    private CliResult Ok(CliResult r, string phase) =>
        r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"{phase}: expected success: {r}\n{cluster.RecentOutput()}");

    [Fact]
    public async Task Exec_StreamsOutput_BeforeTheCommandEnds()
    {
        // The command prints, then waits for a file that only the test creates: the first line must arrive while it waits.
        await using var run = Kubectl.Start("exec", ExecStreamingCluster.Pod, "--", "sh", "-c",
            "echo first; while [ ! -e /tmp/go-stream ]; do sleep 0.1; done; echo second");

        await run.WaitForLineAsync("first", Wait, "the first line, while the command still runs");
        Assert.Empty(run.Lines("second"));
        Assert.False(run.HasExited);
        Ok(await Kubectl.RunAsync("exec", ExecStreamingCluster.Pod, "--", "touch", "/tmp/go-stream"), "releasing the command");
        await run.WaitForLineAsync("second", Wait, "the second line, after the release");
        Assert.Equal(0, await run.WaitForExitAsync(Wait, "kubectl exec ending"));
    }

    [Fact]
    public async Task ExecI_ReadsStdinFromAPipe_InManyFrames()
    {
        var big = new string('x', 99_999) + "\n";

        var count = await Kubectl.RunWithStdinAsync(big, "exec", "-i", ExecStreamingCluster.Pod, "--", "wc", "-c");
        var echo = await Kubectl.RunWithStdinAsync("one\ntwo\n", "exec", "-i", ExecStreamingCluster.Pod, "--", "sh", "-c", "cat; echo end >&2; exit 5");

        Assert.Equal((0, "100000"), (count.ExitCode, count.Stdout.Trim()));
        Assert.Equal((5, "one\ntwo\n", "end\ncommand terminated with exit code 5\n"), (echo.ExitCode, echo.Stdout, echo.Stderr));
    }

    [Fact]
    public async Task ExecIt_UnderATerminal_GetsItsSize_AndExitsWithTheShellsCode()
    {
        var command = string.Join(' ', Kubectl.CommandLine("exec", "-it", ExecStreamingCluster.Pod, "--", "sh").Select(PseudoTerminal.Quote));
        await using var terminal = PseudoTerminal.Start(command, columns: 123, rows: 45);

        await terminal.WaitForTextAsync("/ # ", Wait, "the shell's prompt");
        await terminal.TypeAsync("stty size; echo $((6*7)); exit 3\n");
        var exit = await terminal.WaitForExitAsync(Wait, "the shell's exit");

        // The size kubectl sent on the resize channel is the container terminal's; 42 is the shell's answer (the
        // typed line itself echoes as $((6*7))).
        Assert.Contains("45 123", terminal.Output, StringComparison.Ordinal);
        Assert.Contains("\n42", terminal.Output.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(3, exit);
    }

    [Fact]
    public async Task RunIt_AttachesToTheContainersTerminal_AndRemovesThePod()
    {
        var command = string.Join(' ', Kubectl.CommandLine("run", "attach-demo", "-it", "--rm", "--restart=Never",
            "--image=local/busybox:1", "--", "sh").Select(PseudoTerminal.Quote));
        await using var terminal = PseudoTerminal.Start(command);

        await terminal.WaitForTextAsync("If you don't see a command prompt, try pressing enter.", Wait, "kubectl attached");
        await terminal.TypeAsync("echo $((6*7))\n");
        await terminal.WaitForTextAsync("\n42", Wait, "the attached shell's answer");
        // The container's terminal is one raw stream, which kubectl logs reads too.
        var logs = Ok(await Kubectl.RunAsync("logs", "attach-demo"), "kubectl logs of a container with a terminal");
        await terminal.TypeAsync("exit 3\n");
        var exit = await terminal.WaitForExitAsync(Wait, "kubectl run ending");

        Assert.Contains("42", logs.Stdout, StringComparison.Ordinal);
        Assert.Contains("pod \"attach-demo\" deleted", terminal.Output, StringComparison.Ordinal);
        Assert.Equal(3, exit);
    }

    [Fact]
    public async Task Cp_CopiesFilesIntoAndOutOfThePod()
    {
        var dir = Directory.CreateTempSubdirectory("granary-cp-").FullName;
        try
        {
            var content = string.Join('\n', Enumerable.Range(0, 5000).Select(i => $"line {i}")) + "\n";
            var local = Path.Combine(dir, "in.txt");
            await File.WriteAllTextAsync(local, content);

            Ok(await Kubectl.RunAsync("cp", local, $"{ExecStreamingCluster.Pod}:/tmp/copied.txt"), "kubectl cp into the pod");
            var inside = Ok(await Kubectl.RunAsync("exec", ExecStreamingCluster.Pod, "--", "sha256sum", "/tmp/copied.txt"), "checking the copy");
            var back = Path.Combine(dir, "out.txt");
            Ok(await Kubectl.RunAsync("cp", $"{ExecStreamingCluster.Pod}:/tmp/copied.txt", back), "kubectl cp out of the pod");

            Assert.Equal(Sha256(content), inside.Stdout.Split(' ')[0]);
            Assert.Equal(content, await File.ReadAllTextAsync(back));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("1.30")]
    [InlineData("1.33")]
    public async Task Exec_WithKubectlsWebSocketClient_OfEachVersion(string minor)
    {
        if (Kubectl.WithVersion(minor) is not { } kubectl)
            return;

        var r = await kubectl.RunAsync("exec", ExecStreamingCluster.Pod, "--", "sh", "-c", "echo out; echo err >&2; exit 4");

        Assert.Equal((4, "out\n", "err\ncommand terminated with exit code 4\n"), (r.ExitCode, r.Stdout, r.Stderr));
    }

    [Fact]
    public async Task Exec_WithKubectl128_WhichSpeaksOnlySpdy_IsToldWhichKubectlWorks()
    {
        if (Kubectl.WithVersion("1.28") is not { } kubectl)
            return;

        var r = await kubectl.RunAsync("exec", ExecStreamingCluster.Pod, "--", "true");

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("kubectl 1.30 or newer", r.Stderr, StringComparison.Ordinal);
    }

    private static string Sha256(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
