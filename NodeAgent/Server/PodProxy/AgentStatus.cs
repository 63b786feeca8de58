using Granary.NodeAgent.Server.Streams;
using Microsoft.AspNetCore.Http;

namespace Granary.NodeAgent.Server.PodProxy;

/// <summary>
/// A Kubernetes Status as the agent's answer to a proxied request it cannot serve: the silo passes the agent's
/// response through unchanged, so the user sees the same "Error from server (Reason): message" as from any API failure.
/// </summary>
internal static class AgentStatus
{
    public static Task WriteAsync(HttpContext context, int code, string reason, string message)
    {
        var status = ExecChannelProtocol.Failure(code, reason, message);
        context.Response.Clear();
        context.Response.StatusCode = code;
        // No Retry-After, as kube-apiserver: client-go would retry a refused pod ten times before showing the user why.
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(status.ToJsonString(), context.RequestAborted);
    }
}
