using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Resources;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.PersistentVolumes;

/// <summary>Owns one StorageClass (key: its name). It has no spec: every field but metadata is the user's, fixed once created.</summary>
public sealed class StorageClassGrain(IObjectStore store, TimeProvider time, ILogger<StorageClassGrain> logger)
    : ResourceGrain<StorageClass>(store, time, logger), IStorageClassGrain
{
    protected override ImmutableList<FieldError> Validate(StorageClass resource) => StorageClassValidation.Validate(resource);

    protected override ImmutableList<FieldError> ValidateUpdate(StorageClass old, StorageClass updated) =>
        StorageClassValidation.ValidateUpdate(old, updated);

    protected override StorageClass ApplyDefaults(StorageClass resource) => resource with
    {
        ReclaimPolicy = string.IsNullOrEmpty(resource.ReclaimPolicy) ? ReclaimPolicies.Delete : resource.ReclaimPolicy,
        VolumeBindingMode = resource.VolumeBindingMode ?? VolumeBindingModes.Immediate,
    };

    protected override StorageClass WithSpec(StorageClass existing, StorageClass desired) =>
        desired with { ApiVersion = existing.ApiVersion, Kind = existing.Kind, Metadata = existing.Metadata };

    protected override StorageClass WithStatus(StorageClass existing, StorageClass desired) => existing;
}
