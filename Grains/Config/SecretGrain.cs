using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Grains.Resources;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Config;

/// <summary>
/// Owns one Secret (key "namespace/name"). stringData is merged into data on every write (create, update, patch, apply;
/// its keys win) and then dropped, so it is never stored or returned; type defaults to Opaque. Nothing here logs or
/// reports a value. Every write and delete hints the nodes whose pods reference it.
/// </summary>
public sealed class SecretGrain(IObjectStore store, TimeProvider time, ILogger<SecretGrain> logger, WatchCache cache)
    : ResourceGrain<Secret>(store, time, logger), ISecretGrain
{
    protected override ImmutableList<FieldError> Validate(Secret resource) => SecretValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(Secret old, Secret updated) => SecretValidation.ValidateUpdate(old, updated);

    // Every write passes here before validation (create, and the merge of an update, a patch or an apply).
    protected override Secret ApplyDefaults(Secret resource) => SecretDefaults.Apply(resource);

    protected override Secret WithSpec(Secret existing, Secret desired) =>
        existing with { Data = desired.Data, Type = desired.Type, Immutable = desired.Immutable, StringData = null };

    protected override Secret WithStatus(Secret existing, Secret desired) => existing;

    protected override Task AfterWriteAsync(Secret? before, Secret? after) =>
        PodConfigHints.ChangedAsync(GrainFactory, cache, Kind, NamespaceName!, Name);
}
