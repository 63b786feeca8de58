using Granary.Model;

namespace Granary.Grains.PersistentVolumes;

/// <summary>Kube's DefaultStorageClass admission, as a pure rule: which class a claim without storageClassName gets.</summary>
public static class DefaultStorageClass
{
    /// <summary>
    /// The default class: of those marked default, the newest, then the first by name (as kube since 1.28, so adding
    /// a new default never fails claims while two are marked). Null when none is marked.
    /// </summary>
    public static StorageClass? Choose(IEnumerable<StorageClass> classes) =>
        classes.Where(c => c.IsDefault && c.Metadata.DeletionTimestamp is null)
            .OrderByDescending(c => c.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue)
            .ThenBy(c => c.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault();
}
