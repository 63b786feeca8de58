using System.Collections.Immutable;
using Granary.Api;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.ServiceAccounts;

/// <summary>The CA that signed the API's serving certificate (PEM), as in-cluster clients should trust it; empty when the API serves plain HTTP.</summary>
public sealed class RootCaOptions
{
    public string CaPem { get; set; } = "";
}

/// <summary>
/// kube's root CA publisher: the ConfigMap kube-root-ca.crt in every namespace holds the API's CA (key ca.crt), kept
/// current: written when a namespace is created or activated, for every namespace when a silo starts (the CA may have
/// changed), and again when someone deletes or changes it. Idempotent: an up-to-date ConfigMap is left alone.
/// </summary>
public static class RootCaPublisher
{
    public const string ConfigMapName = "kube-root-ca.crt";
    public const string Key = "ca.crt";
    public const string DescriptionAnnotation = "kubernetes.io/description";

    public const string Description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the " +
        "internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

    public static bool IsCurrent(ConfigMap configMap, string caPem) =>
        configMap.Data?.GetValueOrDefault(Key) == caPem && configMap.Metadata.Annotations?.GetValueOrDefault(DescriptionAnnotation) == Description;

    public static async Task EnsureAsync(IGrainFactory grains, string @namespace, string caPem)
    {
        var grain = grains.GetGrain<IConfigMapGrain>(ResourceKinds.ConfigMap.KeyOf(@namespace, ConfigMapName));
        ConfigMap? existing;
        try
        {
            existing = await grain.GetAsync();
        }
        catch (NotFoundException)
        {
            existing = null;
        }
        try
        {
            if (existing is null)
            {
                await grain.CreateAsync(new ConfigMap
                {
                    Metadata = new ObjectMeta
                    {
                        Name = ConfigMapName,
                        Namespace = @namespace,
                        Annotations = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create(DescriptionAnnotation, Description)]),
                    },
                    Data = ImmutableSortedDictionary.CreateRange([KeyValuePair.Create(Key, caPem)]),
                });
            }
            else if (!IsCurrent(existing, caPem))
            {
                var annotations = (existing.Metadata.Annotations ?? ImmutableSortedDictionary<string, string>.Empty).SetItem(DescriptionAnnotation, Description);
                await grain.UpdateAsync(existing with
                {
                    Metadata = existing.Metadata with { Annotations = annotations },
                    Data = (existing.Data ?? ImmutableSortedDictionary<string, string>.Empty).SetItem(Key, caPem),
                });
            }
        }
        catch (GranaryException e) when (e is AlreadyExistsException or ConflictException or NotFoundException or ForbiddenException)
        {
            // Written by another caller meanwhile, or the namespace is gone or terminating: the next pass sees it.
        }
    }
}
