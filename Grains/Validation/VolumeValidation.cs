using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>
/// A pod's volumes, in kube's words and field paths (validateVolumes, validateVolumeSource and the per-source rules):
/// unique DNS-label names, exactly one source, relative item paths without "..", file modes 0 to 0777.
/// </summary>
public static class VolumeValidation
{
    public const string SupportedSources =
        "Granary supports emptyDir, hostPath, configMap, secret, projected, downwardAPI and persistentVolumeClaim volumes";

    public const string MoreThanOneSource = "may not specify more than 1 volume type";
    public const string FileModeRule = "must be a number between 0 and 0777 (octal), both inclusive";

    public static readonly ImmutableArray<string> HostPathTypes =
        ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];

    /// <summary>The media Granary's agent implements: the node's disk (""), or tmpfs.</summary>
    public static readonly ImmutableArray<string> EmptyDirMedia = ["", "Memory"];

    public static IEnumerable<FieldError> Validate(ImmutableList<Volume>? volumes, string field)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (volume, i) in (volumes ?? []).Select((v, i) => (v, i)))
        {
            var path = $"{field}[{i}]";
            foreach (var error in Source(volume, path))
                yield return error;
            if (volume.Name.Length == 0)
                yield return FieldError.Required($"{path}.name");
            else
                foreach (var error in SyntaxValidation.Dns1123Label(volume.Name, $"{path}.name"))
                    yield return error;
            if (!names.Add(volume.Name))
                yield return FieldError.Duplicate($"{path}.name", volume.Name);
        }
    }

    private static IEnumerable<FieldError> Source(Volume volume, string field)
    {
        // kube checks the sources in this order and reports each one past the first on its own path.
        var sources = new (object? Source, string Name, Func<string, IEnumerable<FieldError>> Rules)[]
        {
            (volume.HostPath, "hostPath", path => HostPath(volume.HostPath!, path)),
            (volume.EmptyDir, "emptyDir", path => EmptyDir(volume.EmptyDir!, path)),
            (volume.Secret, "secret", path => Secret(volume.Secret!, path)),
            (volume.PersistentVolumeClaim, "persistentVolumeClaim", path => Claim(volume.PersistentVolumeClaim!, path)),
            (volume.DownwardAPI, "downwardAPI", path => DownwardApi(volume.DownwardAPI!, path)),
            (volume.ConfigMap, "configMap", path => ConfigMap(volume.ConfigMap!, path)),
            (volume.Projected, "projected", path => ProjectedVolumeValidation.Validate(volume.Projected!, path)),
        };
        var count = 0;
        foreach (var (source, name, rules) in sources.Where(s => s.Source is not null))
        {
            if (count++ > 0)
            {
                yield return FieldError.Forbidden($"{field}.{name}", MoreThanOneSource);
                continue;
            }
            foreach (var error in rules($"{field}.{name}"))
                yield return error;
        }
        // kube would make it an emptyDir; here the source may have been an unknown field dropped on the way in.
        if (count == 0)
            yield return FieldError.Required(field) with { Detail = $"must specify a volume type ({SupportedSources})" };
    }

    private static IEnumerable<FieldError> HostPath(HostPathVolumeSource source, string field)
    {
        if (source.Path.Length == 0)
        {
            yield return FieldError.Required($"{field}.path");
            yield break;
        }
        // kube leaves this to the kubelet, which fails the pod at start; Granary says it at once.
        if (!source.Path.StartsWith('/'))
            yield return FieldError.Invalid($"{field}.path", source.Path, "must be an absolute path");
        foreach (var error in NoBacksteps(source.Path, $"{field}.path"))
            yield return error;
        if (source.Type is { } type && !HostPathTypes.Contains(type))
            yield return FieldError.Unsupported($"{field}.type", type, HostPathTypes);
    }

    private static IEnumerable<FieldError> EmptyDir(EmptyDirVolumeSource source, string field)
    {
        if (!string.IsNullOrEmpty(source.Medium) && !EmptyDirMedia.Contains(source.Medium))
            yield return FieldError.Unsupported($"{field}.medium", source.Medium, EmptyDirMedia);
        if (source.SizeLimit is { } limit && (!Quantity.IsValid(limit.Text) || limit.Amount < 0))
            yield return FieldError.Forbidden($"{field}.sizeLimit", "SizeLimit field must be a valid resource quantity");
    }

    private static IEnumerable<FieldError> Secret(SecretVolumeSource source, string field)
    {
        if (string.IsNullOrEmpty(source.SecretName))
            yield return FieldError.Required($"{field}.secretName");
        foreach (var error in Mode(source.DefaultMode, $"{field}.defaultMode").Concat(Items(source.Items, $"{field}.items")))
            yield return error;
    }

    private static IEnumerable<FieldError> ConfigMap(ConfigMapVolumeSource source, string field)
    {
        if (string.IsNullOrEmpty(source.Name))
            yield return FieldError.Required($"{field}.name");
        foreach (var error in Mode(source.DefaultMode, $"{field}.defaultMode").Concat(Items(source.Items, $"{field}.items")))
            yield return error;
    }

    private static IEnumerable<FieldError> Claim(PersistentVolumeClaimVolumeSource source, string field)
    {
        if (source.ClaimName.Length == 0)
            yield return FieldError.Required($"{field}.claimName");
    }

    private static IEnumerable<FieldError> DownwardApi(DownwardAPIVolumeSource source, string field) =>
        Mode(source.DefaultMode, $"{field}.defaultMode")
            .Concat((source.Items ?? []).SelectMany(file => DownwardApiValidation.File(file, field)));

    public static IEnumerable<FieldError> Items(ImmutableList<KeyToPath>? items, string field) =>
        (items ?? []).SelectMany((item, i) => KeyToPath(item, $"{field}[{i}]"));

    private static IEnumerable<FieldError> KeyToPath(KeyToPath item, string field)
    {
        if (item.Key.Length == 0)
            yield return FieldError.Required($"{field}.key");
        if (item.Path.Length == 0)
            yield return FieldError.Required($"{field}.path");
        foreach (var error in LocalNonReservedPath(item.Path, $"{field}.path").Concat(Mode(item.Mode, $"{field}.mode")))
            yield return error;
    }

    public static IEnumerable<FieldError> Mode(int? mode, string field)
    {
        if (mode is { } value and (< 0 or > 511))
            yield return NumberValidation.Invalid(field, value, FileModeRule);
    }

    /// <summary>A path inside a volume: relative, without "..", not starting with ".." (kube keeps "..data" for itself).</summary>
    public static IEnumerable<FieldError> LocalNonReservedPath(string path, string field)
    {
        foreach (var error in LocalDescendingPath(path, field))
            yield return error;
        if (path.StartsWith("..", StringComparison.Ordinal) && !path.StartsWith("../", StringComparison.Ordinal))
            yield return FieldError.Invalid(field, path, "must not start with '..'");
    }

    public static IEnumerable<FieldError> LocalDescendingPath(string path, string field)
    {
        if (path.StartsWith('/'))
            yield return FieldError.Invalid(field, path, "must be a relative path");
        foreach (var error in NoBacksteps(path, field))
            yield return error;
    }

    private static IEnumerable<FieldError> NoBacksteps(string path, string field)
    {
        if (path.Split('/').Contains(".."))
            yield return FieldError.Invalid(field, path, "must not contain '..'");
    }
}
