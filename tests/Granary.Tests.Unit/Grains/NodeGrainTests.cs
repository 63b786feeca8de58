using Granary.Api;
using Granary.Client;
using Granary.Errors;
using Granary.Model;

namespace Granary.Tests.Unit.Grains;

public sealed class NodeGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    private static string? Ready(Node node) => node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status;

    [Fact]
    public async Task RenewLease_ByAnotherHolder_IsForbidden_NamingBoth()
    {
        var name = Unique.Name("holder");
        await Client.Nodes.CreateAsync(Objects.Node(name));
        var grain = fixture.Grains.GetGrain<INodeGrain>(name);

        var e = await Assert.ThrowsAsync<ForbiddenException>(() => grain.RenewLeaseAsync("other-node", TimeSpan.FromSeconds(8)));

        Assert.Equal($"\"other-node\" cannot renew the lease of node \"{name}\": only the node's own agent (holder \"{name}\") may", e.Message);
        Assert.Null(await grain.GetLeaseAsync());
        Assert.False(await grain.HasLiveAgentAsync());
    }

    [Fact]
    public async Task RenewLease_HoldsForTheDurationAsked_CappedAtTheGracePeriod()
    {
        var name = Unique.Name("cap");
        await Client.Nodes.CreateAsync(Objects.Node(name));
        var grain = fixture.Grains.GetGrain<INodeGrain>(name);

        await grain.RenewLeaseAsync(name, TimeSpan.FromDays(30));

        Assert.Equal(TimeSpan.FromHours(1), (await grain.GetLeaseAsync())!.Duration);
        Assert.True(await grain.HasLiveAgentAsync());
        await Assert.ThrowsAsync<BadRequestException>(() => grain.RenewLeaseAsync(name, TimeSpan.Zero));
    }

    [Fact]
    public async Task Register_CreatesThenRefreshesStatus_KeepingTheOperatorsSpec()
    {
        var name = Unique.Name("reg");
        var grain = fixture.Grains.GetGrain<INodeGrain>(name);
        var first = await grain.RegisterAsync(Objects.Node(name, cpu: "2", labels: Objects.Labels(("zone", "a"))));
        Assert.Equal("2", first.Status!.Allocatable!["cpu"].Text);

        // An operator cordons the node; a re-registration with more cpu must not undo that.
        await Client.Nodes.UpdateAsync(first with { Spec = first.Spec with { Unschedulable = true } });
        var again = await grain.RegisterAsync(Objects.Node(name, cpu: "4", labels: Objects.Labels(("disk", "ssd"))));

        Assert.True(again.Spec.Unschedulable);
        Assert.Equal("4", again.Status!.Capacity!["cpu"].Text);
        Assert.Equal("a", again.Metadata.Labels!["zone"]);
        Assert.Equal("ssd", again.Metadata.Labels!["disk"]);
    }

    [Fact]
    public async Task PodStatus_FromAnotherNode_IsForbidden()
    {
        var pod = await Client.Pods.CreateAsync(Objects.Pod("default", Unique.Name("owned")) with
        {
            Spec = Objects.Pod("default", "x").Spec with { NodeName = "node-a", SchedulerName = Objects.NotScheduled },
        });
        var podGrain = fixture.Grains.GetGrain<IPodGrain>($"default/{pod.Metadata.Name}");

        var e = await Assert.ThrowsAsync<ForbiddenException>(() => podGrain.ReportStatusAsync("node-b", pod.Metadata.Uid!, new PodStatus { Phase = "Running" }));
        Assert.Contains("node \"node-b\" cannot modify pod", e.Message, StringComparison.Ordinal);

        await podGrain.ReportStatusAsync("node-a", pod.Metadata.Uid!, new PodStatus { Phase = "Running" });
        Assert.Equal("Running", (await Client.Pods.GetAsync("default", pod.Metadata.Name!)).Status?.Phase);
    }

    [Fact]
    public async Task PodStatus_FromTheAgent_KeepsTheQosClassSetAtCreation()
    {
        var pod = await Client.Pods.CreateAsync(Objects.Pod("default", Unique.Name("qos")) with
        {
            Spec = Objects.Pod("default", "x").Spec with { NodeName = "node-a", SchedulerName = Objects.NotScheduled },
        });
        Assert.Equal(PodQos.BestEffort, pod.Status?.QosClass);

        await fixture.Grains.GetGrain<IPodGrain>($"default/{pod.Metadata.Name}")
            .ReportStatusAsync("node-a", pod.Metadata.Uid!, new PodStatus { Phase = "Running" });

        var read = await Client.Pods.GetAsync("default", pod.Metadata.Name!);
        Assert.Equal(("Running", PodQos.BestEffort), (read.Status?.Phase, read.Status?.QosClass));
    }

    [Fact]
    public async Task LogsOfAPodWhoseNodeHasNoAgent_FailUnavailable()
    {
        var pod = await Client.Pods.CreateAsync(Objects.Pod("default", Unique.Name("noagent")) with
        {
            Spec = Objects.Pod("default", "x").Spec with { NodeName = "ghost", SchedulerName = Objects.NotScheduled },
        });

        var e = await Assert.ThrowsAsync<ServiceUnavailableException>(() =>
            fixture.Grains.GetGrain<IPodGrain>($"default/{pod.Metadata.Name}").ReadLogsAsync(new PodLogRequest()));
        Assert.Equal("no agent is connected for node \"ghost\"; is the node agent running there?", e.Message);
    }
}
