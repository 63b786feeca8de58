namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// Removes a test's scratch folder after an agent ran pods in it: the agent leaves its pods' tmpfs volumes (Secrets,
/// the kube-api-access token) mounted when it stops, as the kubelet does, and process-driver pods may still run, so a
/// plain recursive delete fails with "Device or resource busy".
/// </summary>
public static class ScratchDirectory
{
    public static void Remove(string dir)
    {
        if (!Directory.Exists(dir))
            return;
        HostProcesses.KillUnder(dir);
        Granary.Tools.MountCleanup.UnmountAllUnder(dir);
        Directory.Delete(dir, recursive: true);
    }
}
