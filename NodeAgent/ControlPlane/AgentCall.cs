namespace Granary.NodeAgent.ControlPlane;

/// <summary>
/// The kinds of call an agent makes to the control plane, as far as a refusal of one tells the operator something
/// different: each kind is logged once when refused (<see cref="ControlPlaneRefusals"/>), with the permission it needs.
/// </summary>
public enum AgentCall
{
    RegisterNode,
    RenewLease,
    ReadAssignedPods,
    ReportPodStatuses,
    ReadPodConfig,
    ReadVolumeClaim,
    ListVolumes,
    RequestServiceAccountToken,
    ConfirmPodDeletion,
    SignServingCertificate,
    WatchServices,
    ReportUsage,
}

/// <summary>What each <see cref="AgentCall"/> needs, in the words of the permission the Node authorizer grants.</summary>
public static class AgentCalls
{
    public static string Permission(AgentCall call) => call switch
    {
        AgentCall.RegisterNode => "register and update its own Node",
        AgentCall.RenewLease => "renew its own node Lease",
        AgentCall.ReadAssignedPods => "watch the pods bound to it",
        AgentCall.ReportPodStatuses => "update the status of the pods bound to it",
        AgentCall.ReadPodConfig => "get the ConfigMaps and Secrets its pods reference",
        AgentCall.ReadVolumeClaim => "get the PersistentVolumeClaims and PersistentVolumes of its pods",
        AgentCall.ListVolumes => "list PersistentVolumes",
        AgentCall.RequestServiceAccountToken => "create tokens for its pods' ServiceAccounts",
        AgentCall.ConfirmPodDeletion => "delete the pods bound to it",
        AgentCall.SignServingCertificate => "have its serving certificate signed by the cluster CA",
        AgentCall.WatchServices => "list and watch Services and EndpointSlices",
        AgentCall.ReportUsage => "update its own Node's status (usage reports for the metrics API)",
        _ => call.ToString(),
    };
}
