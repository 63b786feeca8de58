using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Runtime.Simulated;

namespace Granary.Tests.Unit.NodeAgent.ControlPlane;

public class AgentObserverTests
{
    [Fact]
    public async Task PodConfigChanged_RaisesConfigChanged_WithKindNamespaceAndName()
    {
        var observer = new AgentObserver(new DesiredPods(), new ContainerAccess(new SimulatedRuntime(), new NodeIdentity("n1", "127.0.0.11")));
        var heard = new List<string>();
        observer.ConfigChanged += (sender, e) => heard.Add($"{(sender == observer ? "observer" : "?")}: {e.Kind} {e.Namespace}/{e.Name}");

        await observer.PodConfigChangedAsync("Secret", "shop", "db");
        await observer.PodConfigChangedAsync("ConfigMap", "shop", "settings");

        Assert.Equal(["observer: Secret shop/db", "observer: ConfigMap shop/settings"], heard);
    }
}
