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
/// Owns one ConfigMap (key "namespace/name"). It has no spec/status split: data, binaryData and immutable are the
/// user's. Every write and delete hints the nodes whose pods reference it.
/// </summary>
public sealed class ConfigMapGrain(IObjectStore store, TimeProvider time, ILogger<ConfigMapGrain> logger, WatchCache cache)
    : ResourceGrain<ConfigMap>(store, time, logger), IConfigMapGrain
{
    protected override ImmutableList<FieldError> Validate(ConfigMap resource) => ConfigMapValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(ConfigMap old, ConfigMap updated) => ConfigMapValidation.ValidateUpdate(old, updated);

    protected override ConfigMap WithSpec(ConfigMap existing, ConfigMap desired) =>
        existing with { Data = desired.Data, BinaryData = desired.BinaryData, Immutable = desired.Immutable };

    protected override ConfigMap WithStatus(ConfigMap existing, ConfigMap desired) => existing;

    protected override Task AfterWriteAsync(ConfigMap? before, ConfigMap? after) =>
        PodConfigHints.ChangedAsync(GrainFactory, cache, Kind, NamespaceName!, Name);
}
