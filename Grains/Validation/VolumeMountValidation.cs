using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>A container's volume mounts (kube's ValidateVolumeMounts), and its raw block devices, which Granary refuses.</summary>
public static class VolumeMountValidation
{
    public static readonly ImmutableArray<string> Propagations = ["Bidirectional", "HostToContainer", "None"];
    public static readonly ImmutableArray<string> RecursiveReadOnlyModes = ["Disabled", "Enabled", "IfPossible"];

    public static IEnumerable<FieldError> Validate(Container container, ISet<string> volumes, string field)
    {
        var mountPaths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (mount, i) in (container.VolumeMounts ?? []).Select((m, i) => (m, i)))
        {
            var path = $"{field}[{i}]";
            if (mount.Name.Length == 0)
                yield return FieldError.Required($"{path}.name");
            else if (!volumes.Contains(mount.Name))
                yield return FieldError.NotFound($"{path}.name", mount.Name);
            if (mount.MountPath.Length == 0)
                yield return FieldError.Required($"{path}.mountPath");
            // kube leaves this to the runtime, which fails the container at start; Granary says it at once.
            else if (!mount.MountPath.StartsWith('/'))
                yield return FieldError.Invalid($"{path}.mountPath", mount.MountPath, "must be an absolute path");
            if (!mountPaths.Add(mount.MountPath))
                yield return FieldError.Invalid($"{path}.mountPath", mount.MountPath, "must be unique");
            // kube reports the sub-path rules on the list's path, without the index.
            if (!string.IsNullOrEmpty(mount.SubPath))
                foreach (var error in VolumeValidation.LocalDescendingPath(mount.SubPath, $"{field}.subPath"))
                    yield return error;
            if (!string.IsNullOrEmpty(mount.SubPathExpr))
            {
                if (!string.IsNullOrEmpty(mount.SubPath))
                    yield return FieldError.Invalid($"{path}.subPathExpr", mount.SubPathExpr, "subPathExpr and subPath are mutually exclusive");
                foreach (var error in VolumeValidation.LocalDescendingPath(mount.SubPathExpr, $"{field}.subPathExpr"))
                    yield return error;
            }
            foreach (var error in Propagation(mount, container, $"{path}.mountPropagation").Concat(RecursiveReadOnly(mount, $"{path}.recursiveReadOnly")))
                yield return error;
        }
    }

    /// <summary>Raw block devices need block-mode claims, which Granary's local-path storage does not make.</summary>
    public static IEnumerable<FieldError> Devices(Container container, string field)
    {
        if (container.VolumeDevices is { Count: > 0 })
            yield return FieldError.Forbidden(field, "Granary does not support raw block volumes (volumeDevices); mount the claim's filesystem with volumeMounts");
    }

    private static IEnumerable<FieldError> Propagation(VolumeMount mount, Container container, string field)
    {
        if (mount.MountPropagation is not { } propagation)
            yield break;
        if (!Propagations.Contains(propagation))
            yield return FieldError.Unsupported(field, propagation, Propagations);
        else if (propagation == "Bidirectional" && container.SecurityContext?.Privileged != true)
            yield return FieldError.Forbidden(field, "Bidirectional mount propagation is available only to privileged containers");
    }

    private static IEnumerable<FieldError> RecursiveReadOnly(VolumeMount mount, string field)
    {
        if (mount.RecursiveReadOnly is not { } mode)
            yield break;
        if (!RecursiveReadOnlyModes.Contains(mode))
            yield return FieldError.Unsupported(field, mode, RecursiveReadOnlyModes);
        else if (mode != "Disabled")
        {
            if (mount.ReadOnly != true)
                yield return FieldError.Forbidden(field, "may only be specified when readOnly is true");
            if (mount.MountPropagation is not (null or "None"))
                yield return FieldError.Forbidden(field, "may only be specified when mountPropagation is None or not specified");
        }
    }
}
