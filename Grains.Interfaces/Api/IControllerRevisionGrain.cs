using Granary.Model;

namespace Granary.Api;

/// <summary>
/// Owns one ControllerRevision (key "namespace/name"): a snapshot of a DaemonSet's or StatefulSet's pod template. Its
/// data never changes once created; its revision number may (a controller renumbers the revision it rolls back to).
/// Deleted with its owner by the garbage collector.
/// </summary>
[Alias("granary.IControllerRevisionGrain")]
public interface IControllerRevisionGrain : IResourceGrain<ControllerRevision>;
