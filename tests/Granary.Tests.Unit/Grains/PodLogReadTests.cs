using Granary.Api;
using Granary.Client;
using Granary.Model;

namespace Granary.Tests.Unit.Grains;

/// <summary>
/// A log read (a follow's long poll) passes through the pod's grain and its node's agent link to the agent and waits
/// there. Meanwhile the agent reports statuses through its Node grain and the same pod grain in the other direction; if
/// the pod grain were held by the waiting read, the two calls would wait on each other until Orleans' response timeout.
/// </summary>
public sealed class PodLogReadTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    // Below Orleans' 30 s response timeout, so a held grain shows up as this test's own message.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private GranaryClient Client => fixture.Client;

    [Fact]
    public async Task ALogReadWaitingAtTheAgent_DoesNotHoldUpTheAgentsStatusReports()
    {
        var node = Unique.Name("logs-node");
        var nodeGrain = fixture.Grains.GetGrain<INodeGrain>(node);
        await nodeGrain.RegisterAsync(Objects.Node(node));
        var agent = new WaitingAgent();
        await fixture.Grains.GetGrain<INodeAgentGrain>(node).SubscribeAsync(fixture.Grains.CreateObjectReference<INodeAgentObserver>(agent));
        var pod = await Client.Pods.CreateAsync(Objects.Pod("default", Unique.Name("follow")) with
        {
            Spec = Objects.Pod("default", "x").Spec with { NodeName = node },
        });
        var name = pod.Metadata.Name!;

        var read = fixture.Grains.GetGrain<IPodGrain>($"default/{name}").ReadLogsAsync(new PodLogRequest { Wait = TimeSpan.FromSeconds(10) });
        await agent.Reading.Task.WaitAsync(Timeout); // the read now waits at the agent
        var report = nodeGrain.ReportPodStatusesAsync([new PodStatusReport("default", name, pod.Metadata.Uid!, new PodStatus { Phase = "Running" })]);
        var reported = await Task.WhenAny(report, Task.Delay(Timeout));
        agent.Answer.SetResult(new PodLogChunk([], Running: true));
        var chunk = await read;

        Assert.True(reported == report, $"the status report for pod default/{name} waited {Timeout.TotalSeconds:0} s behind a log read held at node {node}'s agent");
        Assert.Empty(await report);
        Assert.Equal("Running", (await Client.Pods.GetAsync("default", name)).Status?.Phase);
        Assert.True(chunk.Running);
        GC.KeepAlive(agent); // an observer is held weakly by its reference
    }

    /// <summary>An agent whose log read waits until the test answers it.</summary>
    private sealed class WaitingAgent : INodeAgentObserver
    {
        public TaskCompletionSource Reading { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<PodLogChunk> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task PodChangedAsync(Pod pod) => Task.CompletedTask;

        public Task<PodLogChunk> ReadLogsAsync(PodLogRequest request)
        {
            Reading.TrySetResult();
            return Answer.Task;
        }

        public Task<PodExecResult> ExecAsync(PodExecRequest request) => throw new NotSupportedException("this test agent only reads logs");

        public Task PodConfigChangedAsync(string kind, string @namespace, string name) => Task.CompletedTask;
    }
}
