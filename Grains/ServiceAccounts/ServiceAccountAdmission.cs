using System.Collections.Immutable;
using System.Security.Cryptography;
using Granary.Api;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Model;

namespace Granary.Grains.ServiceAccounts;

/// <summary>
/// kube's ServiceAccount admission plugin for a new pod: its ServiceAccount must exist, and unless
/// automountServiceAccountToken is false (on the pod, else on the ServiceAccount) the pod gets the projected volume
/// kube-api-access-XXXXX (a bound token, the cluster's CA from kube-root-ca.crt, the namespace) mounted read-only at
/// /var/run/secrets/kubernetes.io/serviceaccount in every container and init container that has nothing there yet,
/// written into the spec exactly as kube writes it.
/// </summary>
public static class ServiceAccountAdmission
{
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    public const string VolumePrefix = "kube-api-access-";
    public const long TokenExpirationSeconds = 3607;
    public const string MirrorPodAnnotation = "kubernetes.io/config.mirror";

    // kube's names.SimpleNameGenerator alphabet: no vowels, no look-alike digits.
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <param name="accounts">This silo's watch cache of ServiceAccounts, read first (<see cref="FindAsync(KindCache, string, string, Func{Task{ServiceAccount?}})"/>).</param>
    public static async Task<Pod> AdmitAsync(IGrainFactory grains, KindCache accounts, Pod pod)
    {
        if (pod.Metadata.Annotations?.ContainsKey(MirrorPodAnnotation) == true)
            return pod;
        var ns = pod.Metadata.Namespace!;
        var name = pod.Spec.ServiceAccountName ?? ServiceAccount.Default;
        var account = await FindAsync(accounts, ns, name, () => FindAsync(grains, ns, name));
        if (account is null && name == ServiceAccount.Default)
        {
            // kube's serviceaccount controller makes it soon after the namespace; here, at once.
            await grains.GetGrain<IServiceAccountGrain>(ResourceKinds.ServiceAccount.KeyOf(ns, name)).EnsureDefaultAsync();
            account = await FindAsync(grains, ns, name);
        }
        if (account is null)
            throw new ForbiddenException($"pods \"{pod.Metadata.Name ?? pod.Metadata.GenerateName}\" is forbidden: error looking up service account {ns}/{name}: " +
                $"serviceaccount \"{name}\" not found: create it (kubectl create serviceaccount {name} -n {ns}) or set spec.serviceAccountName to one that exists");
        var automount = pod.Spec.AutomountServiceAccountToken ?? account.AutomountServiceAccountToken ?? true;
        return automount ? Mount(pod, RandomSuffix()) : pod;
    }

    /// <summary>
    /// <paramref name="desired"/> with the token volume and mounts admission gave <paramref name="existing"/> kept where
    /// the desired spec leaves them out: an apply or update written from the user's manifest never names them, and a
    /// pod's volumes cannot change, so dropping them would refuse every such update. Pure.
    /// </summary>
    public static PodSpec KeepAdmitted(PodSpec existing, PodSpec desired)
    {
        var admitted = existing.Volumes?.FirstOrDefault(v => v.Name.StartsWith(VolumePrefix, StringComparison.Ordinal)
            && v.Projected?.Sources?.Any(s => s.ServiceAccountToken is not null) == true);
        if (admitted is null || desired.Volumes?.Any(v => v.Name == admitted.Name) == true)
            return desired;
        ImmutableList<Container>? Keep(ImmutableList<Container>? wanted, ImmutableList<Container>? had) =>
            wanted?.Select(c => had?.FirstOrDefault(h => h.Name == c.Name)?.VolumeMounts?.FirstOrDefault(m => m.Name == admitted.Name) is { } mount
                && c.VolumeMounts?.Any(m => m.Name == admitted.Name) != true
                    ? c with { VolumeMounts = (c.VolumeMounts ?? []).Add(mount) }
                    : c).ToImmutableList();
        return desired with
        {
            Volumes = (desired.Volumes ?? []).Add(admitted),
            Containers = Keep(desired.Containers, existing.Containers),
            InitContainers = Keep(desired.InitContainers, existing.InitContainers),
        };
    }

    /// <summary>The pod with the token volume named kube-api-access-<paramref name="suffix"/> and its mounts. Pure.</summary>
    public static Pod Mount(Pod pod, string suffix)
    {
        var volumes = pod.Spec.Volumes ?? [];
        var volumeName = VolumePrefix + suffix;
        while (volumes.Any(v => v.Name == volumeName))
            volumeName += Alphabet[0];
        var mount = new VolumeMount { Name = volumeName, ReadOnly = true, MountPath = MountPath };
        var containers = pod.Spec.Containers?.Select(c => WithMount(c, mount)).ToImmutableList();
        var initContainers = pod.Spec.InitContainers?.Select(c => WithMount(c, mount)).ToImmutableList();
        var mounted = (containers ?? []).Concat(initContainers ?? []).Any(c => c.VolumeMounts?.Contains(mount) == true);
        if (!mounted)
            return pod;
        return pod with { Spec = pod.Spec with { Volumes = volumes.Add(Volume(volumeName)), Containers = containers, InitContainers = initContainers } };
    }

    /// <summary>The projected volume, field for field as kube's admission writes it (defaultMode 0644).</summary>
    public static Volume Volume(string name) => new()
    {
        Name = name,
        Projected = new ProjectedVolumeSource
        {
            DefaultMode = 420,
            Sources =
            [
                new VolumeProjection { ServiceAccountToken = new ServiceAccountTokenProjection { ExpirationSeconds = TokenExpirationSeconds, Path = "token" } },
                new VolumeProjection
                {
                    ConfigMap = new ConfigMapProjection { Name = RootCaPublisher.ConfigMapName, Items = [new KeyToPath { Key = RootCaPublisher.Key, Path = RootCaPublisher.Key }] },
                },
                new VolumeProjection
                {
                    DownwardAPI = new DownwardAPIProjection
                    {
                        Items = [new DownwardAPIVolumeFile { Path = "namespace", FieldRef = new ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" } }],
                    },
                },
            ],
        },
    };

    private static Container WithMount(Container container, VolumeMount mount) =>
        container.VolumeMounts?.Any(m => m.MountPath.TrimEnd('/') == MountPath) == true
            ? container
            : container with { VolumeMounts = (container.VolumeMounts ?? []).Add(mount) };

    private static string RandomSuffix() => string.Create(5, 0, (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
            span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
    });

    /// <summary>
    /// The ServiceAccount from the silo's watch cache, or from <paramref name="fromGrain"/> when the cache does not have
    /// it: as kube's admission reads its informer and asks the store only on a miss, so a pod create costs no grain call
    /// for an account that exists, and one created a moment ago (not yet in the cache) or a cache still listing after
    /// the silo started is still found.
    /// </summary>
    public static async Task<ServiceAccount?> FindAsync(KindCache accounts, string ns, string name, Func<Task<ServiceAccount?>> fromGrain)
    {
        if (accounts.Ready.IsCompletedSuccessfully && accounts.Get(ResourceKinds.ServiceAccount.KeyOf(ns, name)) is ServiceAccount cached)
            return cached;
        return await fromGrain();
    }

    private static async Task<ServiceAccount?> FindAsync(IGrainFactory grains, string ns, string name)
    {
        try
        {
            return await grains.GetGrain<IServiceAccountGrain>(ResourceKinds.ServiceAccount.KeyOf(ns, name)).GetAsync();
        }
        catch (NotFoundException)
        {
            return null;
        }
    }
}
