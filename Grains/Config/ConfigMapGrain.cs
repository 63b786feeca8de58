using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Grains.Resources;
using Granary.Grains.ServiceAccounts;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Config;

/// <summary>
/// Owns one ConfigMap (key "namespace/name"). It has no spec/status split: data, binaryData and immutable are the
/// user's. Every write and delete hints the nodes whose pods reference it.
/// </summary>
public sealed class ConfigMapGrain(IObjectStore store, TimeProvider time, ILogger<ConfigMapGrain> logger, WatchCache cache, IOptions<RootCaOptions> rootCa)
    : ResourceGrain<ConfigMap>(store, time, logger), IConfigMapGrain
{
    private IGrainTimer? _republish;

    protected override ImmutableList<FieldError> Validate(ConfigMap resource) => ConfigMapValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(ConfigMap old, ConfigMap updated) => ConfigMapValidation.ValidateUpdate(old, updated);

    protected override ConfigMap WithSpec(ConfigMap existing, ConfigMap desired) =>
        existing with { Data = desired.Data, BinaryData = desired.BinaryData, Immutable = desired.Immutable };

    protected override ConfigMap WithStatus(ConfigMap existing, ConfigMap desired) => existing;

    protected override Task AfterWriteAsync(ConfigMap? before, ConfigMap? after)
    {
        // The root CA publisher's ConfigMap, deleted or changed by someone else: written again once this write has
        // answered (a timer, not a call, so the writer sees its own write first).
        if (Name == RootCaPublisher.ConfigMapName && (after is null || !RootCaPublisher.IsCurrent(after, rootCa.Value.CaPem)))
        {
            _republish?.Dispose();
            _republish = this.RegisterGrainTimer(_ => RootCaPublisher.EnsureAsync(GrainFactory, NamespaceName!, rootCa.Value.CaPem),
                new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
        return PodConfigHints.ChangedAsync(GrainFactory, cache, Kind, NamespaceName!, Name);
    }
}
