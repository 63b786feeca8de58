using System.Text.Json.Nodes;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Agent;

/// <summary>Node n24: a private dockerd, redis-server, a silo process and a node agent process, shared by one class.</summary>
public sealed class BatchCluster() : AgentClusterFixture("n24", block: 24);

/// <summary>
/// Jobs and CronJobs end to end: the real kubectl creates them, waits on their conditions and reads their pods' logs,
/// the job controller runs their pods on the real dockerd. A CronJob fires on its every-minute schedule (its rules,
/// missed runs and policies are tested on a fake clock in CronJobPlannerTests), and its Job is made by hand, as
/// <c>kubectl create job --from=cronjob/x</c> does.
/// </summary>
public sealed class BatchJobTests(BatchCluster cluster) : IClassFixture<BatchCluster>
{
    private Kubectl Kubectl => cluster.Kubectl;

    private static string JobYaml(string name, string script, int completions, int parallelism, string extra = "") => $$"""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {{name}}
        spec:
          completions: {{completions}}
          parallelism: {{parallelism}}
        {{extra}}
          template:
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: local/busybox:1
                command: ["sh", "-c", "{{script}}"]
        """;

    private async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await Kubectl.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', args)}: {result}{cluster.RecentOutput()}");
        return result;
    }

    /// <summary>Applies a Job's manifest with kubectl and waits, with kubectl, for its condition.</summary>
    private async Task ApplyAndWaitAsync(string yaml, string name, string condition)
    {
        var apply = await Kubectl.RunWithStdinAsync(yaml, "apply", "-f", "-");
        Assert.True(apply.ExitCode == 0, apply.ToString());
        await OkAsync("wait", $"--for=condition={condition}", $"job/{name}", "--timeout=55s");
    }

    private async Task<JsonObject> GetJsonAsync(params string[] args) => JsonNode.Parse((await OkAsync([.. args, "-o", "json"])).Stdout)!.AsObject();

    [Fact]
    public async Task Job_FiveCompletionsThreeAtATime_CompletesAndItsLogsAreReadable()
    {
        await ApplyAndWaitAsync(JobYaml("count", "echo done", completions: 5, parallelism: 3), "count", "complete");

        var job = await GetJsonAsync("get", "job", "count");
        var status = job["status"]!;
        Assert.Equal(5, (int)status["succeeded"]!);
        Assert.Null(status["active"]);
        Assert.Null(status["failed"]);
        Assert.NotNull(status["completionTime"]);
        Assert.Equal(["SuccessCriteriaMet", "Complete"], status["conditions"]!.AsArray().Select(c => (string)c!["type"]!));
        var uid = (string)job["metadata"]!["uid"]!;
        Assert.Equal(uid, (string)job["spec"]!["selector"]!["matchLabels"]!["batch.kubernetes.io/controller-uid"]!);

        var viaStatus = JsonNode.Parse((await OkAsync("get", "--raw", "/apis/batch/v1/namespaces/default/jobs/count/status")).Stdout)!;
        Assert.Equal(5, (int)viaStatus["status"]!["succeeded"]!);
        var pods = (await GetJsonAsync("get", "pods", "-l", "job-name=count"))["items"]!.AsArray();
        Assert.Equal(5, pods.Count);
        Assert.All(pods, p => Assert.Equal("Succeeded", (string)p!["status"]!["phase"]!));
        Assert.All(pods, p => Assert.Null(p!["metadata"]!["finalizers"]));

        var table = await OkAsync("get", "job", "count");
        Assert.Matches(@"NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE", table.Stdout);
        Assert.Matches(@"count\s+Complete\s+5/5\s+\d+s", table.Stdout);

        var logs = await OkAsync("logs", "job/count");
        Assert.Equal("done\n", logs.Stdout);

        var describe = await OkAsync("describe", "job", "count");
        Assert.Matches(@"Pods Statuses:\s+0 Active \(0 Ready\) / 5 Succeeded / 0 Failed", describe.Stdout);
        Assert.Contains("SuccessfulCreate", describe.Stdout, StringComparison.Ordinal);
        Assert.Contains("Completed", describe.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IndexedJob_EachPodSeesItsCompletionIndex()
    {
        await ApplyAndWaitAsync(JobYaml("indexed", "echo index=$JOB_COMPLETION_INDEX", completions: 3, parallelism: 3, "  completionMode: Indexed"),
            "indexed", "complete");

        var job = await GetJsonAsync("get", "job", "indexed");
        Assert.Equal("0-2", (string)job["status"]!["completedIndexes"]!);
        var pods = (await GetJsonAsync("get", "pods", "-l", "job-name=indexed"))["items"]!.AsArray();
        var seen = new List<string>();
        foreach (var pod in pods)
        {
            var name = (string)pod!["metadata"]!["name"]!;
            var index = (string)pod["metadata"]!["annotations"]!["batch.kubernetes.io/job-completion-index"]!;
            Assert.StartsWith($"indexed-{index}-", name, StringComparison.Ordinal);
            Assert.Equal($"indexed-{index}", (string)pod["spec"]!["hostname"]!);
            var logs = await OkAsync("logs", name);
            Assert.Equal($"index={index}\n", logs.Stdout);
            seen.Add(index);
        }
        Assert.Equal(["0", "1", "2"], seen.Order());
    }

    [Fact]
    public async Task FailingJob_HitsItsBackoffLimitAndFails()
    {
        // The first failure waits out the 10 s back-off before its replacement, whose failure ends the Job.
        await ApplyAndWaitAsync(JobYaml("doomed", "echo failing; exit 3", completions: 1, parallelism: 1, "  backoffLimit: 1"), "doomed", "failed");

        var status = (await GetJsonAsync("get", "job", "doomed"))["status"]!;
        Assert.Equal(2, (int)status["failed"]!);
        var failed = status["conditions"]!.AsArray().Single(c => (string)c!["type"]! == "Failed")!;
        Assert.Equal(("BackoffLimitExceeded", "Job has reached the specified backoff limit"), ((string)failed["reason"]!, (string)failed["message"]!));
        Assert.Matches(@"doomed\s+Failed\s+0/1", (await OkAsync("get", "job", "doomed")).Stdout);
        var events = await OkAsync("get", "events", "--field-selector", "involvedObject.name=doomed");
        Assert.Contains("BackoffLimitExceeded", events.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActiveDeadline_StopsTheRunningPodAndFailsTheJob()
    {
        await ApplyAndWaitAsync(JobYaml("deadline", "sleep 60", completions: 1, parallelism: 1, "  activeDeadlineSeconds: 2"), "deadline", "failed");

        var status = (await GetJsonAsync("get", "job", "deadline"))["status"]!;
        var failed = status["conditions"]!.AsArray().Single(c => (string)c!["type"]! == "Failed")!;
        Assert.Equal(("DeadlineExceeded", "Job was active longer than specified deadline"), ((string)failed["reason"]!, (string)failed["message"]!));
        Assert.Equal(1, (int)status["failed"]!);
        Assert.Empty((await GetJsonAsync("get", "pods", "-l", "job-name=deadline"))["items"]!.AsArray());
    }

    [Fact]
    public async Task SuspendedJob_RunsNothingUntilResumed()
    {
        var apply = await Kubectl.RunWithStdinAsync(JobYaml("later", "echo resumed", completions: 2, parallelism: 2, "  suspend: true"), "apply", "-f", "-");
        Assert.True(apply.ExitCode == 0, apply.ToString());
        await OkAsync("wait", "--for=condition=suspended", "job/later", "--timeout=55s");
        Assert.Empty((await GetJsonAsync("get", "pods", "-l", "job-name=later"))["items"]!.AsArray());
        Assert.Matches(@"later\s+Suspended\s+0/2", (await OkAsync("get", "job", "later")).Stdout);

        await OkAsync("patch", "job", "later", "--type=merge", "-p", """{"spec":{"suspend":false}}""");
        await OkAsync("wait", "--for=condition=complete", "job/later", "--timeout=55s");

        var suspended = (await GetJsonAsync("get", "job", "later"))["status"]!["conditions"]!.AsArray().Single(c => (string)c!["type"]! == "Suspended")!;
        Assert.Equal(("False", "JobResumed"), ((string)suspended["status"]!, (string)suspended["reason"]!));
    }

    [Fact]
    public async Task TtlAfterFinished_DeletesTheJobAndItsPods()
    {
        await ApplyAndWaitAsync(JobYaml("brief", "echo bye", completions: 1, parallelism: 1, "  ttlSecondsAfterFinished: 1"), "brief", "complete");

        var pods = (await GetJsonAsync("get", "pods", "-l", "job-name=brief"))["items"]!.AsArray().Select(p => (string)p!["metadata"]!["name"]!).ToList();

        await OkAsync("wait", "--for=delete", "job/brief", "--timeout=55s");
        Assert.Single(pods);
        await OkAsync("wait", "--for=delete", $"pod/{pods[0]}", "--timeout=55s");
        Assert.Empty((await GetJsonAsync("get", "pods", "-l", "job-name=brief"))["items"]!.AsArray());
    }

    [Fact]
    public async Task CronJob_CreatedByKubectl_MakesAJobByHandThatRuns()
    {
        await OkAsync("create", "cronjob", "tick", "--image=local/busybox:1", "--schedule=*/1 * * * *", "--", "sh", "-c", "echo tick");
        var table = await OkAsync("get", "cj", "tick");
        Assert.Matches(@"NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE", table.Stdout);
        Assert.Matches(@"tick\s+\*/1 \* \* \* \*\s+<none>\s+False\s+\d", table.Stdout);

        await OkAsync("create", "job", "tick-manual", "--from=cronjob/tick");
        await OkAsync("wait", "--for=condition=complete", "job/tick-manual", "--timeout=55s");

        var job = await GetJsonAsync("get", "job", "tick-manual");
        Assert.Equal("manual", (string)job["metadata"]!["annotations"]!["cronjob.kubernetes.io/instantiate"]!);
        var owner = job["metadata"]!["ownerReferences"]!.AsArray().Single()!;
        Assert.Equal(("CronJob", "tick"), ((string)owner["kind"]!, (string)owner["name"]!));
        Assert.Equal("tick\n", (await OkAsync("logs", "job/tick-manual")).Stdout);
        var describe = await OkAsync("describe", "cronjob", "tick");
        Assert.Contains("*/1 * * * *", describe.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CronJob_FiresOnItsSchedule_AndRecordsTheRun()
    {
        // The smallest step of a schedule is a minute: the first run comes within one, seen through kubectl's watch.
        await using var jobs = Kubectl.Start("get", "jobs", "--watch", "-o", "name");
        await OkAsync("create", "cronjob", "minutely", "--image=local/busybox:1", "--schedule=* * * * *", "--", "sh", "-c", "echo fired");
        var line = await jobs.WaitForLineAsync("job.batch/minutely-", TimeSpan.FromSeconds(100), "the first scheduled run of cronjob minutely");
        var name = line.Trim()["job.batch/".Length..];
        await OkAsync("wait", "--for=condition=complete", $"job/{name}", "--timeout=55s");

        // The job is named for its scheduled minute, owned by the CronJob, and its run is in the CronJob's status.
        var job = await GetJsonAsync("get", "job", name);
        var scheduled = DateTimeOffset.Parse((string)job["metadata"]!["annotations"]!["batch.kubernetes.io/cronjob-scheduled-timestamp"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"minutely-{scheduled.ToUnixTimeSeconds() / 60}", name);
        Assert.Equal(0, scheduled.Second);
        Assert.Equal("CronJob", (string)job["metadata"]!["ownerReferences"]!.AsArray().Single()!["kind"]!);
        Assert.Equal("fired\n", (await OkAsync("logs", $"job/{name}")).Stdout);
        // A list watch (by field selector), not a single object's: that one may miss a write between its get and its watch.
        await using (var status = Kubectl.Start("get", "cronjobs", "--field-selector=metadata.name=minutely", "--watch", "-o", "jsonpath={.status.lastSuccessfulTime}{\"\\n\"}"))
        {
            // An RFC 3339 time ends in Z; before the first success the line is empty.
            var succeeded = await status.WaitForLineAsync("Z", TimeSpan.FromSeconds(30), "cronjob minutely recording its successful run");
            Assert.True(DateTimeOffset.Parse(succeeded.Trim(), System.Globalization.CultureInfo.InvariantCulture) >= scheduled, $"lastSuccessfulTime {succeeded} precedes the run scheduled at {scheduled:O}");
        }
        Assert.Matches(@"minutely\s+\* \* \* \* \*\s+<none>\s+False\s+\d+\s+\d\S*\s+\S+", (await OkAsync("get", "cj", "minutely")).Stdout);
        await OkAsync("delete", "cronjob", "minutely");
    }

    [Theory]
    [InlineData("1.27")]
    [InlineData("1.33")]
    public async Task OlderAndNewerKubectl_CreateGetDescribeAndWaitForJobs(string minor)
    {
        var binary = Kubectl.Versioned(minor);
        if (binary is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", $"kubectl.{minor} (Cloud SDK bundle) is not installed");
            return;
        }
        var kubectl = Kubectl.WithBinary(binary);
        var name = $"v{minor.Replace(".", "", StringComparison.Ordinal)}";

        var create = await kubectl.RunAsync("create", "job", name, "--image=local/busybox:1", "--", "sh", "-c", "echo hello");
        Assert.True(create.ExitCode == 0, create.ToString());
        var wait = await kubectl.RunAsync("wait", "--for=condition=complete", $"job/{name}", "--timeout=55s");
        Assert.True(wait.ExitCode == 0, wait + cluster.RecentOutput());

        var get = await kubectl.RunAsync("get", "jobs", name);
        Assert.Matches($@"{name}\s+(Complete\s+)?1/1", get.Stdout);
        var describe = await kubectl.RunAsync("describe", "job", name);
        Assert.True(describe.ExitCode == 0, describe.ToString());
        Assert.Contains("Completions:", describe.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 Succeeded", describe.Stdout, StringComparison.Ordinal);
        var cronjob = await kubectl.RunAsync("create", "cronjob", $"{name}-cj", "--image=local/busybox:1", "--schedule=@hourly", "--", "true");
        Assert.True(cronjob.ExitCode == 0, cronjob.ToString());
        Assert.Contains("@hourly", (await kubectl.RunAsync("get", "cronjobs", $"{name}-cj")).Stdout, StringComparison.Ordinal);
    }
}
