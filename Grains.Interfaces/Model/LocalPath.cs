namespace Granary.Model;

/// <summary>
/// The names the local-path provisioner, the scheduler and the node agent share: the default class, the node
/// annotation naming where a node keeps volumes, and how a volume's directory is named (as k3s's local-path
/// provisioner names it), so the agent can tell its volumes from anything else under the root.
/// </summary>
public static class LocalPath
{
    public const string ClassName = "local-path";
    public const string Provisioner = "rancher.io/local-path";

    /// <summary>The node annotation the agent writes at registration: the directory under which its volumes live.</summary>
    public const string RootAnnotation = "storage.granary.io/local-path-root";

    /// <summary>Where volumes live on a node whose agent did not say (the agent's default).</summary>
    public const string DefaultRoot = "/var/lib/granary/storage";

    /// <summary>The node label a volume's node affinity names, as the kubelet sets it.</summary>
    public const string HostnameLabel = "kubernetes.io/hostname";

    /// <summary>The name of the volume provisioned for a claim: <c>pvc-&lt;claim uid&gt;</c>, as kube's provisioners name it.</summary>
    public static string VolumeName(string claimUid) => $"pvc-{claimUid}";

    /// <summary>The volume's directory under the node's root: <c>pvc-&lt;uid&gt;_&lt;namespace&gt;_&lt;claim&gt;</c>.</summary>
    public static string DirectoryName(string volumeName, string @namespace, string claimName) => $"{volumeName}_{@namespace}_{claimName}";

    /// <summary>
    /// The volume a directory under the root belongs to, or null when the directory is not named as the provisioner
    /// names them (then it is none of the agent's business). Namespaces and claim names cannot hold '_', so the
    /// name splits in exactly three.
    /// </summary>
    public static string? VolumeOfDirectory(string directoryName)
    {
        var parts = directoryName.Split('_');
        if (parts.Length != 3 || !parts[0].StartsWith("pvc-", StringComparison.Ordinal) || !Guid.TryParseExact(parts[0]["pvc-".Length..], "D", out _)
            || parts[1].Length == 0 || parts[2].Length == 0)
            return null;
        return parts[0];
    }
}

/// <summary>The finalizers kube's storage protection controllers keep on claims and volumes in use.</summary>
public static class StorageFinalizers
{
    public const string ClaimProtection = "kubernetes.io/pvc-protection";
    public const string VolumeProtection = "kubernetes.io/pv-protection";
}
