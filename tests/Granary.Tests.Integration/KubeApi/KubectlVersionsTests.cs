using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.KubeApi;

/// <summary>
/// The everyday commands through the bundled kubectl binaries of several minor versions (not the dispatcher), so an
/// older client that users still run sees the same API: each version with its own discovery cache and its own objects.
/// </summary>
public sealed class KubectlVersionsTests(KubeApiFixture api) : IClassFixture<KubeApiFixture>
{
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(30);

    private static CliResult Ok(CliResult r) => r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"expected success: {r}");

    [Theory]
    [InlineData("1.29")]
    [InlineData("1.32")]
    public async Task EverydayCommands_Work(string minor)
    {
        var binary = Kubectl.Versioned(minor);
        if (binary is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", $"kubectl.{minor} (Cloud SDK bundle) is not installed");
            return;
        }
        var kubectl = new Kubectl(api.Silo.Kubeconfig, Directory.CreateTempSubdirectory($"granary-kubectl-{minor}-").FullName, binary);
        var name = $"v{minor.Replace(".", "")}";
        var file = Path.Combine(Path.GetTempPath(), $"granary-{name}-{Guid.NewGuid():N}.yaml");
        try
        {
            var version = Ok(await kubectl.RunAsync("version"));
            Assert.Contains($"Client Version: v{minor}.", version.Stdout);
            Assert.Contains("Server Version: v1.32.", version.Stdout);

            File.WriteAllText(file, KubeApiFixture.Pod(name, name));
            Assert.Equal($"pod/{name} created\n", Ok(await kubectl.RunAsync("apply", "-f", file)).Stdout);
            Assert.Equal($"pod/{name} unchanged\n", Ok(await kubectl.RunAsync("apply", "-f", file)).Stdout);

            var wide = Ok(await kubectl.RunAsync("get", "pods", "-l", $"app={name}", "-o", "wide"));
            Assert.Matches($@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n{name}\s+0/1\s+Pending\s+0\s+", wide.Stdout);

            await using var watch = kubectl.Start("get", "pod", name, "-w", "-o", "jsonpath=tier={.metadata.labels.tier}{\"\\n\"}");
            await LabelSeenByWatchAsync(kubectl, watch, name, minor);

            Assert.Equal($"pod/{name} patched\n", Ok(await kubectl.RunAsync("patch", "pod", name, "--type=merge", "-p", """{"metadata":{"annotations":{"note":"x"}}}""")).Stdout);
            Assert.Equal("x", Ok(await kubectl.RunAsync("get", "pod", name, "-o", "jsonpath={.metadata.annotations.note}")).Stdout);

            Assert.Equal($"pod \"{name}\" deleted\n", Ok(await kubectl.RunAsync("delete", "pod", name)).Stdout);
            var gone = await kubectl.RunAsync("get", "pod", name);
            Assert.Equal(1, gone.ExitCode);
            Assert.Contains($"Error from server (NotFound): pods \"{name}\" not found", gone.Stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Labels the pod until the running <c>get pod -w</c> prints the new label. kubectl prints the object it got, then
    /// watches from "any" version and drops that watch's first event (the object as it is then), by design: a change
    /// that lands between its get and its watch is never printed. So the label goes on only after the first line, and
    /// again (at most three times, each with a new value) if it fell into that gap; a watch that delivers no change
    /// fails all three.
    /// </summary>
    private static async Task LabelSeenByWatchAsync(Kubectl kubectl, ChildProcess watch, string name, string minor)
    {
        await watch.WaitForLineAsync("tier=", WatchTimeout, $"kubectl {minor} get pod {name} -w printing the pod");
        for (var attempt = 1; ; attempt++)
        {
            Assert.Equal($"pod/{name} labeled\n", Ok(await kubectl.RunAsync("label", "--overwrite", "pod", name, $"tier=front{attempt}")).Stdout);
            try
            {
                await watch.WaitForLineAsync($"tier=front{attempt}", attempt < 3 ? TimeSpan.FromSeconds(10) : WatchTimeout,
                    $"kubectl {minor} get pod {name} -w printing the new label (attempt {attempt})");
                return;
            }
            catch (TimeoutException) when (attempt < 3)
            {
                // The label fell between kubectl's get and its watch: label again.
            }
        }
    }
}
