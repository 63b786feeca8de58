namespace Granary.NodeAgent.Pods;

/// <summary>The phases and the kubelet's reasons the agent writes into pod status, named once.</summary>
public static class PodReasons
{
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";

    public const string ContainerCreating = "ContainerCreating";
    public const string CrashLoopBackOff = RestartBackoff.Reason;
    public const string ErrImagePull = "ErrImagePull";
    public const string ImagePullBackOff = "ImagePullBackOff";
    public const string ErrImageNeverPull = "ErrImageNeverPull";
    public const string CreateContainerConfigError = "CreateContainerConfigError";

    public const string Completed = "Completed";
    public const string Error = "Error";
    public const string OomKilled = "OOMKilled";

    public static bool IsFinished(string? phase) => phase is Succeeded or Failed;
}
