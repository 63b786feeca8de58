using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Storage;
using Granary.Grains.Validation;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Resources;

/// <summary>
/// Owns one ServiceAccount (key "namespace/name"). It has no spec/status split: secrets, imagePullSecrets and
/// automountServiceAccountToken are the user's. The grain of "namespace/default" is also kube's serviceaccount
/// controller for its namespace: level-triggered, it creates the default ServiceAccount whenever the namespace asks
/// (created, activated) and right after it is deleted, unless the namespace is gone or terminating.
/// </summary>
public sealed partial class ServiceAccountGrain(IObjectStore store, TimeProvider time, ILogger<ServiceAccountGrain> logger)
    : ResourceGrain<ServiceAccount>(store, time, logger), IServiceAccountGrain
{
    private IGrainTimer? _recreate;

    protected override ImmutableList<FieldError> Validate(ServiceAccount resource) => ServiceAccountValidation.Validate(resource);

    protected override ServiceAccount WithSpec(ServiceAccount existing, ServiceAccount desired) => existing with
    {
        Secrets = desired.Secrets,
        ImagePullSecrets = desired.ImagePullSecrets,
        AutomountServiceAccountToken = desired.AutomountServiceAccountToken,
    };

    protected override ServiceAccount WithStatus(ServiceAccount existing, ServiceAccount desired) => existing;

    public async Task EnsureDefaultAsync()
    {
        if (Name != ServiceAccount.Default || Current is not null)
            return;
        try
        {
            await CreateAsync(new ServiceAccount { Metadata = new ObjectMeta { Name = Name, Namespace = NamespaceName } });
            LogCreatedDefault(Logger, Key);
        }
        catch (GranaryException e) when (e is AlreadyExistsException or NotFoundException or ForbiddenException)
        {
            // There already, or the namespace is gone or terminating: nothing to keep.
        }
    }

    protected override Task AfterWriteAsync(ServiceAccount? before, ServiceAccount? after)
    {
        // The default one was deleted: make it again once this delete has answered (a timer, not a call, so the
        // deleting caller sees its own delete first).
        if (after is null && Name == ServiceAccount.Default)
        {
            _recreate?.Dispose();
            _recreate = this.RegisterGrainTimer(_ => EnsureDefaultAsync(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the default ServiceAccount {Key}")]
    private static partial void LogCreatedDefault(ILogger logger, string key);
}
