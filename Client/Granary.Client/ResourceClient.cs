using System.Runtime.CompilerServices;
using Granary.Api;
using Granary.Errors;
using Granary.Model;
using Granary.Retry;

namespace Granary.Client;

/// <summary>
/// Typed operations on one kind. Writes and gets go to the object's own grain; lists and watches to the
/// list/watch service of the silo the client talks to.
/// </summary>
public sealed class ResourceClient<T> : IResourceClient where T : class, IResource<T>
{
    private readonly IGrainFactory _grains;

    internal ResourceClient(IGrainFactory grains) => _grains = grains;

    public ResourceKind Kind => T.ResourceKind;

    internal IGrainFactory Grains => _grains;

    private IResourceGrain<T> Grain(string? @namespace, string name)
    {
        if (string.IsNullOrEmpty(name))
            throw new BadRequestException($"a {Kind.Singular} name is required");
        if (Kind.Namespaced && string.IsNullOrEmpty(@namespace))
            throw new BadRequestException($"a namespace is required for {Kind.Plural}");
        return ResourceGrains.Get<T>(_grains, Kind.KeyOf(@namespace, name));
    }

    private IResourceGrain<T> GrainFor(T resource) =>
        Grain(Kind.Namespaced ? resource.Metadata.Namespace ?? "default" : null, resource.Metadata.Name ?? "");

    public Task<T> GetAsync(string? @namespace, string name, CancellationToken ct = default) =>
        Grain(@namespace, name).GetAsync().WaitAsync(ct);

    /// <summary>Creates the object. With only metadata.generateName set, a random suffix is added (retried on a clash).</summary>
    public async Task<T> CreateAsync(T resource, CancellationToken ct = default)
    {
        if (!string.IsNullOrEmpty(resource.Metadata.Name) || string.IsNullOrEmpty(resource.Metadata.GenerateName))
            return await GrainFor(resource).CreateAsync(resource).WaitAsync(ct);
        for (var attempt = 0; ; attempt++)
        {
            var named = (T)resource.WithMetadata(resource.Metadata with { Name = resource.Metadata.GenerateName + GeneratedSuffix.Next() });
            try
            {
                return await GrainFor(named).CreateAsync(named).WaitAsync(ct);
            }
            catch (AlreadyExistsException) when (attempt < 8)
            {
                // Another object took this name: draw again, as the Kubernetes API server does.
            }
        }
    }

    public Task<T> UpdateAsync(T resource, CancellationToken ct = default) => GrainFor(resource).UpdateAsync(resource).WaitAsync(ct);

    public Task<T> UpdateStatusAsync(T resource, CancellationToken ct = default) => GrainFor(resource).UpdateStatusAsync(resource).WaitAsync(ct);

    public Task<ApplyResult<T>> ApplyAsync(T resource, CancellationToken ct = default) => GrainFor(resource).ApplyAsync(resource).WaitAsync(ct);

    public Task<T> DeleteAsync(string? @namespace, string name, DeleteOptions? options = null, CancellationToken ct = default) =>
        Grain(@namespace, name).DeleteAsync(options ?? DeleteOptions.Default).WaitAsync(ct);

    public async Task<ResourceList<T>> ListAsync(ListOptions? options = null, CancellationToken ct = default)
    {
        var list = await ListUntypedAsync(options ?? new ListOptions(), ct);
        return new ResourceList<T>([.. list.Items.Cast<T>()], list.ResourceVersion, list.Continue);
    }

    /// <summary>Typed events in order, each exactly once, surviving silo failovers.</summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(WatchOptions? options = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var e in WatchUntypedAsync(options ?? new WatchOptions(), ct))
            yield return new WatchEvent<T>(e.Type, (T)e.Object);
    }

    private Task<ResourceList> ListUntypedAsync(ListOptions options, CancellationToken ct) =>
        _grains.GetGrain<IListWatchGrain>(0).ListAsync(new ListRequest
        {
            Kind = Kind,
            Namespace = Kind.Namespaced ? options.Namespace : null,
            LabelSelector = options.LabelSelector,
            FieldSelector = options.FieldSelector,
            Limit = options.Limit,
            Continue = options.Continue,
        }).WaitAsync(ct);

    private async IAsyncEnumerable<WatchEvent> WatchUntypedAsync(WatchOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        var version = options.ResourceVersion;
        if (version is null)
        {
            var list = await ListUntypedAsync(new ListOptions { Namespace = options.Namespace, LabelSelector = options.LabelSelector, FieldSelector = options.FieldSelector }, ct);
            foreach (var item in list.Items)
                yield return new WatchEvent(WatchEventType.Added, item);
            version = list.ResourceVersion;
        }

        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var request = new WatchRequest
            {
                Kind = Kind,
                Namespace = Kind.Namespaced ? options.Namespace : null,
                LabelSelector = options.LabelSelector,
                FieldSelector = options.FieldSelector,
                ResourceVersion = version,
            };
            WatchBatch? batch = null;
            try
            {
                batch = await _grains.GetGrain<IListWatchGrain>(0).WatchAsync(request).WaitAsync(ct);
                backoff.Reset();
            }
            catch (Exception e) when (Transient.Is(e) && !ct.IsCancellationRequested)
            {
                // The silo serving us went away: resume from the same version on another one.
                await backoff.DelayAsync(TimeProvider.System, ct);
            }
            if (batch is null)
                continue;
            foreach (var e in batch.Events)
                yield return e;
            version = batch.ResourceVersion;
        }
    }

    async Task<IResource> IResourceClient.GetAsync(string? @namespace, string name, CancellationToken ct) => await GetAsync(@namespace, name, ct);

    async Task<IResource> IResourceClient.CreateAsync(IResource resource, CancellationToken ct) => await CreateAsync(Cast(resource), ct);

    async Task<(IResource Object, ApplyOutcome Outcome)> IResourceClient.ApplyAsync(IResource resource, CancellationToken ct)
    {
        var result = await ApplyAsync(Cast(resource), ct);
        return (result.Object, result.Outcome);
    }

    async Task<IResource> IResourceClient.DeleteAsync(string? @namespace, string name, DeleteOptions? options, CancellationToken ct) =>
        await DeleteAsync(@namespace, name, options, ct);

    Task<ResourceList> IResourceClient.ListAsync(ListOptions options, CancellationToken ct) => ListUntypedAsync(options, ct);

    IAsyncEnumerable<WatchEvent> IResourceClient.WatchAsync(WatchOptions options, CancellationToken ct) => WatchUntypedAsync(options, ct);

    private T Cast(IResource resource) =>
        resource as T ?? throw new BadRequestException($"expected a {Kind.Kind}, got a {resource.Kind}");
}

/// <summary>Random name suffixes for generateName: five characters from Kubernetes' alphabet (no vowels, no look-alikes).</summary>
internal static class GeneratedSuffix
{
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Next() => string.Create(5, 0, static (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
            span[i] = Alphabet[Random.Shared.Next(Alphabet.Length)];
    });
}

/// <summary>Errors that mean "the silo or connection went away", after which a retry elsewhere can succeed.</summary>
internal static class Transient
{
    public static bool Is(Exception e) => e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
        or GatewayTooBusyException or ClientNotAvailableException
        || (e is OrleansException && e is not GranaryException);
}
