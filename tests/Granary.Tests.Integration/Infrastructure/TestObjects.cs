using System.Collections.Immutable;
using Granary.Client;
using Granary.Model;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>Small builders and waits shared by the integration tests.</summary>
public static class TestObjects
{
    /// <summary>A scheduler name the default scheduler ignores, for tests that must see only their own writes.</summary>
    public const string NotScheduled = "test-manual";

    public static Pod Pod(string ns, string name, string? cpu = null, string? schedulerName = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new PodSpec
        {
            SchedulerName = schedulerName,
            Containers = [new Container
            {
                Name = "main",
                Image = "local/busybox:1",
                Command = ["sleep", "3600"],
                Resources = cpu is null ? null : new ResourceRequirements { Requests = ImmutableSortedDictionary<string, Quantity>.Empty.Add("cpu", new Quantity(cpu)) },
            }],
        },
    };

    public static Node Node(string name, string cpu = "4", string memory = "8Gi") => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Status = new NodeStatus
        {
            Capacity = ImmutableSortedDictionary<string, Quantity>.Empty
                .Add("cpu", new Quantity(cpu)).Add("memory", new Quantity(memory)).Add("pods", new Quantity("110")),
            Conditions = [new NodeCondition { Type = "Ready", Status = "True" }],
        },
    };

    /// <summary>Waits, through a watch (a barrier, not a poll), until <paramref name="count"/> pods in the namespace are bound.</summary>
    public static async Task WaitAllBoundAsync(GranaryClient client, string ns, int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        var bound = new HashSet<string>();
        try
        {
            await foreach (var e in client.Pods.WatchAsync(new WatchOptions { Namespace = ns }, cts.Token))
            {
                if (e.Object.Spec.NodeName is not null)
                    bound.Add(e.Object.Metadata.Name!);
                if (bound.Count >= count)
                    return;
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"waiting for {count} pods in {ns} to be bound: only {bound.Count} were ({string.Join(", ", bound)})");
        }
    }
}
