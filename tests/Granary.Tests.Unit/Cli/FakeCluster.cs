using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using Granary.Api;
using Granary.Cli.Commands;
using Granary.Client;
using Granary.Errors;
using Granary.Model;
using Granary.Selectors;
using Granary.Serialization;

namespace Granary.Tests.Unit.Cli;

/// <summary>An in-memory cluster that records every call, for running commands without a silo.</summary>
internal sealed class FakeCluster : IClusterApi
{
    private readonly Dictionary<ResourceKind, FakeResourceClient> _clients = ResourceKinds.All.ToDictionary(k => k, k => new FakeResourceClient(k));

    public ClusterStatus Status { get; set; } = new([], []);

    public List<string> Calls { get; } = [];

    public bool Disposed { get; private set; }

    /// <summary>The lines a pod's log holds, oldest first, for every pod and container.</summary>
    public List<PodLogLine> Logs { get; } = [];

    /// <summary>Whether a followed log ends after <see cref="Logs"/> (the container stopped) instead of waiting for more.</summary>
    public bool ContainerStops { get; set; }

    /// <summary>Completes when a followed log has delivered <see cref="Logs"/> and is waiting: the test's barrier before cancelling.</summary>
    public TaskCompletionSource LogsDrained { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What every exec answers.</summary>
    public PodExecResult ExecResult { get; set; } = new(0, "", "");

    /// <summary>Errors that logs and exec of the named pod throw, as the pod grain or its node would.</summary>
    public Dictionary<string, GranaryException> PodFailures { get; } = [];

    public FakeResourceClient Client(ResourceKind kind) => _clients[kind];

    public FakeCluster With(params IResource[] objects)
    {
        foreach (var o in objects)
            _clients[ResourceKinds.Find(o.Kind)!].Put(o);
        return this;
    }

    public IResourceClient For(ResourceKind kind)
    {
        var client = _clients[kind];
        client.Calls = Calls;
        return client;
    }

    public Task<ClusterStatus> GetClusterStatusAsync(CancellationToken ct) => Task.FromResult(Status);

    public async IAsyncEnumerable<PodLogLine> ReadPodLogsAsync(string @namespace, string name, string? container, bool follow, int? tailLines,
        DateTimeOffset? since, bool previous, [EnumeratorCancellation] CancellationToken ct)
    {
        Calls.Add($"logs pods {@namespace}/{name} container={container ?? "-"} follow={follow} tail={tailLines?.ToString(CultureInfo.InvariantCulture) ?? "-"} since={since?.ToString("O", CultureInfo.InvariantCulture) ?? "-"} previous={previous}");
        RequirePod(@namespace, name);
        foreach (var line in Logs)
            yield return line;
        if (!follow || ContainerStops)
            yield break;
        LogsDrained.TrySetResult();
        await Task.Delay(Timeout.Infinite, ct);
    }

    public Task<PodExecResult> ExecInPodAsync(string @namespace, string name, IReadOnlyList<string> command, string? container, CancellationToken ct)
    {
        Calls.Add($"exec pods {@namespace}/{name} container={container ?? "-"} command=[{string.Join(", ", command.Select(c => $"\"{c}\""))}]");
        RequirePod(@namespace, name);
        return Task.FromResult(ExecResult);
    }

    private void RequirePod(string @namespace, string name)
    {
        if (PodFailures.TryGetValue(name, out var failure))
            throw failure;
        if (!_clients[ResourceKinds.Pod].Has(@namespace, name))
            throw new NotFoundException(ResourceKinds.Pod.Plural, name);
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

internal sealed class FakeResourceClient(ResourceKind kind) : IResourceClient
{
    private readonly SortedDictionary<string, IResource> _objects = new(StringComparer.Ordinal);

    public List<string> Calls { get; set; } = [];

    /// <summary>Errors a write of the named object throws instead of succeeding.</summary>
    public Dictionary<string, GranaryException> Failures { get; } = [];

    /// <summary>Events the watch delivers before it waits for cancellation.</summary>
    public List<WatchEvent> Events { get; } = [];

    /// <summary>Completes when the watch has delivered <see cref="Events"/> and is waiting: the test's barrier before cancelling.</summary>
    public TaskCompletionSource WatchDrained { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ResourceKind Kind => kind;

    public void Put(IResource o) => _objects[Key(o.Metadata.Namespace, o.Metadata.Name!)] = o;

    public bool Has(string? @namespace, string name) => _objects.ContainsKey(Key(@namespace, name));

    private string Key(string? ns, string name) => kind.KeyOf(ns, name);

    public Task<IResource> GetAsync(string? @namespace, string name, CancellationToken ct = default)
    {
        Calls.Add($"get {kind.Plural} {Key(@namespace, name)}");
        return _objects.TryGetValue(Key(@namespace, name), out var o) ? Task.FromResult(o) : throw new NotFoundException(kind.Plural, name);
    }

    public Task<IResource> CreateAsync(IResource resource, CancellationToken ct = default) => throw new NotSupportedException("the CLI does not create");

    public Task<(IResource Object, ApplyOutcome Outcome)> ApplyAsync(IResource resource, CancellationToken ct = default)
    {
        var key = Key(resource.Metadata.Namespace, resource.Metadata.Name!);
        Calls.Add($"apply {kind.Plural} {key}");
        if (Failures.TryGetValue(resource.Metadata.Name!, out var failure))
            throw failure;
        var outcome = !_objects.TryGetValue(key, out var old) ? ApplyOutcome.Created
            : GranaryJson.SerializeResource(old) == GranaryJson.SerializeResource(resource) ? ApplyOutcome.Unchanged
            : ApplyOutcome.Configured;
        _objects[key] = resource;
        return Task.FromResult((resource, outcome));
    }

    public Task<IResource> DeleteAsync(string? @namespace, string name, DeleteOptions? options = null, CancellationToken ct = default)
    {
        var key = Key(@namespace, name);
        Calls.Add($"delete {kind.Plural} {key} grace={options?.GracePeriodSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default"}");
        if (Failures.TryGetValue(name, out var failure))
            throw failure;
        if (!_objects.Remove(key, out var o))
            throw new NotFoundException(kind.Plural, name);
        return Task.FromResult(o);
    }

    public Task<ResourceList> ListAsync(ListOptions options, CancellationToken ct = default)
    {
        Calls.Add($"list {kind.Plural} ns={options.Namespace ?? "*"} labels={options.LabelSelector} fields={options.FieldSelector}");
        var labels = LabelSelector.Parse(options.LabelSelector);
        var fields = FieldSelector.Parse(options.FieldSelector);
        var items = _objects.Values
            .Where(o => options.Namespace is null || o.Metadata.Namespace == options.Namespace)
            .Where(o => labels.Matches(o.Metadata.Labels) && fields.Matches(o))
            .Reverse() // the CLI sorts; a fake that lists in another order shows that it does
            .ToImmutableArray();
        return Task.FromResult(new ResourceList("42", items, null));
    }

    public async IAsyncEnumerable<WatchEvent> WatchAsync(WatchOptions options, [EnumeratorCancellation] CancellationToken ct = default)
    {
        Calls.Add($"watch {kind.Plural} ns={options.Namespace ?? "*"} labels={options.LabelSelector} fields={options.FieldSelector} from={options.ResourceVersion}");
        foreach (var e in Events)
            yield return e;
        WatchDrained.TrySetResult();
        await Task.Delay(Timeout.Infinite, ct);
    }
}
