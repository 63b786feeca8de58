using Microsoft.AspNetCore.Routing;

namespace Granary.NodeAgent.Server;

/// <summary>
/// One part of the agent's server (exec and attach, port-forward, the pod proxy, …): it maps its own routes, so the
/// server itself knows nothing of what it serves. Register an implementation as a singleton of this interface.
/// </summary>
public interface IAgentServerModule
{
    void Map(IEndpointRouteBuilder routes);
}
