namespace Granary.NodeAgent.Observability;

/// <summary>
/// The <c>operation_type</c> label values of <c>kubelet_runtime_operations_*</c>, as the kubelet names its CRI calls.
/// Made once, so recording an operation allocates nothing.
/// </summary>
public static class RuntimeOperation
{
    private const string Label = "operation_type";

    public static readonly KeyValuePair<string, object?> Version = new(Label, "version");
    public static readonly KeyValuePair<string, object?> ListContainers = new(Label, "list_containers");
    public static readonly KeyValuePair<string, object?> ContainerStatus = new(Label, "container_status");
    public static readonly KeyValuePair<string, object?> ImageStatus = new(Label, "image_status");
    public static readonly KeyValuePair<string, object?> PullImage = new(Label, "pull_image");
    public static readonly KeyValuePair<string, object?> CreateContainer = new(Label, "create_container");
    public static readonly KeyValuePair<string, object?> StartContainer = new(Label, "start_container");
    public static readonly KeyValuePair<string, object?> StopContainer = new(Label, "stop_container");
    public static readonly KeyValuePair<string, object?> RemoveContainer = new(Label, "remove_container");
    public static readonly KeyValuePair<string, object?> ExecSync = new(Label, "exec_sync");
    public static readonly KeyValuePair<string, object?> Exec = new(Label, "exec");
    public static readonly KeyValuePair<string, object?> Attach = new(Label, "attach");
}
