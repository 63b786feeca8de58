using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Runtime.Docker;
using Granary.NodeAgent.Runtime.Process;
using Granary.NodeAgent.Runtime.Simulated;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Hosting;

/// <summary>Picks the container runtime: the configured driver, or docker when an engine answers.</summary>
public static class RuntimeSelector
{
    /// <summary>The runtime to use, or an error saying what was tried and how to fix it.</summary>
    public static async Task<IContainerRuntime> SelectAsync(AgentSettings settings, ILoggerFactory loggers, bool processFallback, CancellationToken ct)
    {
        var driver = settings.Driver?.Trim().ToLowerInvariant();
        switch (driver)
        {
            case "docker":
                return await ConnectDockerAsync(settings, loggers, ct) ?? throw new InvalidOperationException(
                    $"no Docker engine answers at {settings.DockerHost}: start dockerd, or point at it with --docker-host unix:///PATH");
            case "process":
                if (!settings.EnableProcessDriver && !processFallback)
                    throw new InvalidOperationException("the process driver runs pods as host processes without isolation; enable it with --enable-process-driver true");
                return CreateProcess(settings, loggers);
            case "simulated":
                return new SimulatedRuntime();
            case null or "":
                var docker = await ConnectDockerAsync(settings, loggers, ct);
                if (docker is not null)
                    return docker;
                if (settings.EnableProcessDriver || processFallback)
                {
                    loggers.CreateLogger("Granary.NodeAgent").LogWarning(
                        "No Docker engine answers at {DockerHost}; running pods as host processes (process driver)", settings.DockerHost);
                    return CreateProcess(settings, loggers);
                }
                throw new InvalidOperationException(
                    $"no Docker engine answers at {settings.DockerHost}: start dockerd, point at it with --docker-host, or run pods as host processes with --driver process --enable-process-driver true");
            default:
                throw new InvalidOperationException($"unknown driver \"{settings.Driver}\": use docker, process or simulated");
        }
    }

    private static IContainerRuntime CreateProcess(AgentSettings settings, ILoggerFactory loggers) =>
        new ProcessRuntime(Path.Combine(settings.StateDir, "process"), loggers.CreateLogger<ProcessRuntime>());

    private static async Task<IContainerRuntime?> ConnectDockerAsync(AgentSettings settings, ILoggerFactory loggers, CancellationToken ct)
    {
        var docker = new DockerRuntime(new Uri(settings.DockerHost), loggers.CreateLogger<DockerRuntime>());
        try
        {
            await docker.VersionAsync(ct);
            return docker;
        }
        catch (RuntimeException e) when (e.Kind is RuntimeErrorKind.Unavailable or RuntimeErrorKind.Timeout)
        {
            docker.Dispose();
            return null;
        }
    }
}
