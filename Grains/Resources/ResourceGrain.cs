using System.Globalization;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Storage;
using Granary.Model;
using Granary.Serialization;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Resources;

/// <summary>
/// What every resource grain does the same way: identity from the grain key, system metadata, validation
/// before any write, optimistic concurrency on resourceVersion, create-or-update for apply, deletion with
/// finalizers. Kind-specific grains supply validation, defaults and the spec/status split.
/// The grain is the per-object work queue: calls are serialized, so there are no locks here.
/// </summary>
public abstract partial class ResourceGrain<T>(IObjectStore store, TimeProvider time, ILogger logger) : Grain, IResourceGrain<T>, IIncomingGrainCallFilter
    where T : class, IResource<T>
{
    protected static ResourceKind Kind => T.ResourceKind;

    /// <summary>The object as last stored, with its resourceVersion; null when it does not exist.</summary>
    protected T? Current { get; private set; }

    protected long CurrentRevision { get; private set; }

    // The stored JSON of Current when this activation wrote it (null after a read from the store): an update compares
    // against it instead of serializing the current object again.
    private string? _currentJson;

    protected TimeProvider Time => time;

    protected ILogger Logger => logger;

    protected string Key => this.GetPrimaryKeyString();

    protected string? NamespaceName => Kind.Namespaced ? Key[..Key.IndexOf('/', StringComparison.Ordinal)] : null;

    protected string Name => Kind.Namespaced ? Key[(Key.IndexOf('/', StringComparison.Ordinal) + 1)..] : Key;

    private int _storeGeneration;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _storeGeneration = store.Generation(Kind);
        try
        {
            await ReloadAsync();
        }
        catch (Exception e) when (StoreFaults.Retriable(e) is { } retriable)
        {
            // An activation's failure reaches the caller without passing the grain call filters (StoreFaultFilter).
            throw retriable;
        }
    }

    /// <summary>Reads the object as the store has it now.</summary>
    private async Task ReloadAsync()
    {
        var stored = await store.GetAsync(Kind, Key);
        if (stored is null)
        {
            Current = null;
            CurrentRevision = 0;
        }
        else
        {
            SetCurrent(Decode(stored.Json), stored.Revision);
        }
    }

    /// <summary>
    /// Before every call: when the store lost this kind's data since the object was read (a Redis restarted
    /// without its data), read it again, so the activation never answers with an object that is gone.
    /// </summary>
    async Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context)
    {
        if (store.Generation(Kind) is var generation && generation != _storeGeneration)
        {
            _storeGeneration = generation;
            await ReloadAsync();
        }
        await context.Invoke();
    }

    public async Task<T> CreateAsync(T resource)
    {
        resource = await PrepareNewAsync(resource);
        resource = await ReserveAsync(null, resource);
        var json = Encode(resource);
        long rv;
        try
        {
            rv = await store.CreateAsync(Kind, Key, json);
        }
        catch (Exception)
        {
            await UnreserveAsync(null, resource);
            throw;
        }
        SetCurrent(resource, rv, json);
        LogCreated(logger, Kind.Singular, Key, rv);
        await AfterWriteAsync(null, Current);
        return Current!;
    }

    public async Task<IResource> DryRunCreateAsync(IResource resource) => await PrepareNewAsync((T)resource);

    public Task<IResource> DryRunUpdateAsync(IResource resource, bool status)
    {
        var desired = WithIdentity((T)resource);
        var existing = RequireCurrent(desired.Metadata.ResourceVersion);
        var updated = status ? WithStatus(existing, desired) : MergeUserFields(existing, desired);
        updated = (T)updated.WithMetadata(updated.Metadata with { ResourceVersion = existing.Metadata.ResourceVersion });
        if (Encode(updated) != Encode(existing))
            ThrowIfInvalid(ValidateUpdate(existing, updated));
        return Task.FromResult<IResource>(updated);
    }

    /// <summary>The object a create would store: identity, defaults, system metadata, validated, its namespace checked.</summary>
    private async Task<T> PrepareNewAsync(T resource)
    {
        resource = WithIdentity(resource);
        if (Current is not null)
            throw new AlreadyExistsException(Kind.Plural, Name);
        resource = await AdmitAsync(PrepareCreate(ApplyDefaults(resource)));
        resource = (T)resource.WithMetadata(resource.Metadata with
        {
            Uid = Guid.NewGuid().ToString(),
            ResourceVersion = null,
            Generation = 1,
            CreationTimestamp = Now(),
            DeletionTimestamp = null,
            DeletionGracePeriodSeconds = null,
            GenerateName = resource.Metadata.GenerateName,
        });
        resource = CompleteCreate(resource);
        ThrowIfInvalid(Validate(resource));
        await BeforeCreateAsync(resource);
        return resource;
    }

    public Task<T> GetAsync() => Task.FromResult(Current ?? throw new NotFoundException(Kind.Plural, Name));

    public async Task<T> UpdateAsync(T resource)
    {
        resource = WithIdentity(resource);
        var existing = RequireCurrent(resource.Metadata.ResourceVersion);
        var updated = MergeUserFields(existing, resource);
        return await WriteUpdateAsync(existing, updated) ?? existing;
    }

    public async Task<T> UpdateStatusAsync(T resource)
    {
        resource = WithIdentity(resource);
        var existing = RequireCurrent(resource.Metadata.ResourceVersion);
        return await WriteUpdateAsync(existing, WithStatus(existing, resource)) ?? existing;
    }

    public async Task<ApplyResult<T>> ApplyAsync(T resource)
    {
        resource = WithIdentity(resource);
        if (Current is null)
            return new ApplyResult<T>(await CreateAsync(resource), ApplyOutcome.Created);
        var existing = Current;
        var written = await WriteUpdateAsync(existing, MergeUserFields(existing, resource));
        return written is null
            ? new ApplyResult<T>(existing, ApplyOutcome.Unchanged)
            : new ApplyResult<T>(written, ApplyOutcome.Configured);
    }

    private void SetCurrent(T resource, long revision, string? json = null)
    {
        CurrentRevision = revision;
        Current = (T)resource.WithMetadata(resource.Metadata with { ResourceVersion = revision.ToString(CultureInfo.InvariantCulture) });
        _currentJson = json;
    }

    /// <summary>What <see cref="Encode"/> gives for <paramref name="resource"/>, without serializing it again when it is the object this activation last wrote.</summary>
    private string EncodeExisting(T resource) =>
        ReferenceEquals(resource, Current) && _currentJson is { } json ? json : Encode(resource);

    private static string Encode(T resource) =>
        GranaryJson.SerializeResource(resource.WithMetadata(resource.Metadata with { ResourceVersion = null }));

    private static T Decode(string json) => (T)GranaryJson.DeserializeResource(json, Kind);
}
