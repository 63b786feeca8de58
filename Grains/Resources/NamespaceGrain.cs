using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Grains.ServiceAccounts;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Resources;

/// <summary>
/// Owns one namespace. Deleting it marks it Terminating, then deletes everything in it and goes once
/// it is empty. The clean-up is level-triggered: a timer re-checks, and a new activation of a Terminating
/// namespace picks the work up again, so a silo dying halfway loses nothing.
/// </summary>
public sealed partial class NamespaceGrain(IObjectStore store, TimeProvider time, ILogger<NamespaceGrain> logger, WatchCache cache,
    IOptions<RootCaOptions> rootCa)
    : ResourceGrain<Namespace>(store, time, logger), INamespaceGrain
{
    private static readonly TimeSpan CleanupPeriod = TimeSpan.FromSeconds(1);
    private IGrainTimer? _cleanup;
    private IGrainTimer? _ensureDefault;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        if (Current?.Metadata.DeletionTimestamp is not null)
            StartCleanup();
        else if (Current is not null)
        {
            // After activation, not during it: the ServiceAccount's create asks this grain whether it accepts content.
            _ensureDefault = this.RegisterGrainTimer(async _ =>
            {
                _ensureDefault?.Dispose();
                await EnsureDefaultServiceAccountAsync();
            }, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
    }

    protected override async Task AfterWriteAsync(Namespace? before, Namespace? after)
    {
        if (before is null && after is not null)
            await EnsureDefaultServiceAccountAsync();
    }

    /// <summary>
    /// kube's serviceaccount controller and root CA publisher, level-triggered: the namespace's creation (before it
    /// answers) and every activation of an active namespace (which any create in it causes) ask for the default
    /// ServiceAccount and the kube-root-ca.crt ConfigMap, which do nothing when they exist as they should.
    /// </summary>
    private async Task EnsureDefaultServiceAccountAsync()
    {
        await GrainFactory.GetGrain<IServiceAccountGrain>(ResourceKinds.ServiceAccount.KeyOf(Name, ServiceAccount.Default)).EnsureDefaultAsync();
        await RootCaPublisher.EnsureAsync(GrainFactory, Name, rootCa.Value.CaPem);
    }

    protected override ImmutableList<FieldError> Validate(Namespace resource) => NamespaceValidation.Validate(resource);

    protected override Namespace PrepareCreate(Namespace resource) =>
        resource with { Spec = new NamespaceSpec { Finalizers = ["kubernetes"] }, Status = new NamespaceStatus { Phase = "Active" } };

    protected override Namespace WithSpec(Namespace existing, Namespace desired) => existing;

    protected override Namespace WithStatus(Namespace existing, Namespace desired) => existing;

    // Deletion always waits for the namespace to be emptied.
    protected override Task<bool> NeedsGracefulDeletionAsync(Namespace resource, DeleteOptions options) => Task.FromResult(true);

    protected override ObjectMeta MarkDeleting(Namespace resource, DeleteOptions options) =>
        resource.Metadata with { DeletionTimestamp = Now() };

    public override async Task<Namespace> DeleteAsync(DeleteOptions options)
    {
        if (Namespace.BuiltIn.Contains(Name))
            throw new ForbiddenException($"namespaces \"{Name}\" is forbidden: this namespace may not be deleted");
        var existing = Current ?? throw new NotFoundException(Kind.Plural, Name);
        if (existing.Metadata.DeletionTimestamp is not null)
            return existing;
        var marked = existing with
        {
            Metadata = MarkDeleting(existing, options),
            Status = new NamespaceStatus { Phase = "Terminating" },
        };
        var written = await WriteUpdateAsync(existing, marked) ?? existing;
        LogTerminating(Logger, Name);
        StartCleanup();
        return written;
    }

    public Task AssertAcceptsContentAsync()
    {
        if (Current is null)
            throw new NotFoundException(Kind.Plural, Name);
        if (Current.Metadata.DeletionTimestamp is not null)
            throw new ForbiddenException($"unable to create new content in namespace {Name} because it is being terminated");
        return Task.CompletedTask;
    }

    private void StartCleanup() =>
        _cleanup ??= this.RegisterGrainTimer(CleanupAsync, new GrainTimerCreationOptions(TimeSpan.Zero, CleanupPeriod) { KeepAlive = true });

    private async Task CleanupAsync(CancellationToken cancellationToken)
    {
        if (Current is not { Metadata.DeletionTimestamp: not null } ns)
            return;
        var remaining = 0;
        foreach (var kind in ResourceKinds.All.Where(k => k.Namespaced))
        {
            var (_, items) = (await cache.ConsistentAsync(kind)).Snapshot(ObjectFilter.Parse(Name, null, null));
            remaining += items.Count;
            await Parallel.ForEachAsync(
                items.Where(i => i.Value.Metadata.DeletionTimestamp is null),
                new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken, TaskScheduler = TaskScheduler.Current },
                async (item, _) => await DeleteContentAsync(kind, item.Value));
        }
        if (remaining > 0)
            return;
        _cleanup?.Dispose();
        _cleanup = null;
        await RemoveAsync(ns with { Spec = new NamespaceSpec { Finalizers = [] } });
        LogDeleted(Logger, Name);
    }

    private async Task DeleteContentAsync(ResourceKind kind, IResource item)
    {
        try
        {
            await ResourceGrains.DeleteAsync(GrainFactory, kind, kind.KeyOf(item.Metadata.Namespace, item.Metadata.Name!), DeleteOptions.Default);
        }
        catch (NotFoundException)
        {
            // Already gone: what we wanted.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Namespace {Namespace} is terminating; deleting its contents")]
    private static partial void LogTerminating(ILogger logger, string @namespace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Namespace {Namespace} is empty and deleted")]
    private static partial void LogDeleted(ILogger logger, string @namespace);
}
