using System.Globalization;
using Docker.DotNet.Models;

namespace Granary.NodeAgent.Runtime.Docker;

/// <summary>Between the driver contract and Engine API models, in both directions; pure, so it stays easy to read.</summary>
internal static class DockerMapping
{
    public static CreateContainerParameters ToCreateParameters(ContainerSpec spec) => new()
    {
        Name = spec.Name,
        Image = spec.Image,
        // Kubernetes' command/args: setting the entrypoint also drops the image's cmd, as the engine does.
        Entrypoint = spec.Command?.ToList(),
        Cmd = spec.Args?.ToList(),
        Env = spec.Env.Select(e => $"{e.Key}={e.Value}").ToList(),
        WorkingDir = spec.WorkingDir,
        Labels = new Dictionary<string, string>(spec.Labels),
        Hostname = spec.Hostname,
        User = spec.Security.User,
        // stdin and tty as kube's container fields ask: stdin stays open for kubectl attach, and with stdinOnce
        // closes when the first attach ends, so a `kubectl run -it` shell ends with its session.
        OpenStdin = spec.OpenStdin,
        StdinOnce = spec.StdinOnce,
        AttachStdin = spec.OpenStdin,
        Tty = spec.Tty,
        HostConfig = new HostConfig
        {
            // No bridge on these machines: every container shares the host's network and binds 127.0.0.1.
            NetworkMode = "host",
            // docker-init as PID 1 forwards SIGTERM, which a shell-less PID 1 would ignore until SIGKILL.
            Init = true,
            // The agent restarts containers itself (restartPolicy with back-off); the engine must not.
            RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
            Memory = spec.MemoryLimitBytes ?? 0,
            // Swap equal to memory means no swap, as the kubelet sets it: the limit is the limit.
            MemorySwap = spec.MemoryLimitBytes ?? 0,
            NanoCPUs = (spec.CpuLimitMilli ?? 0) * 1_000_000,
            Binds = spec.Mounts.Select(m => $"{m.HostPath}:{m.ContainerPath}{(m.ReadOnly ? ":ro" : "")}").ToList(),
            GroupAdd = spec.Security.Groups.Count > 0 ? spec.Security.Groups.Select(g => g.ToString(CultureInfo.InvariantCulture)).ToList() : null,
            ReadonlyRootfs = spec.Security.ReadOnlyRootFilesystem,
            CapAdd = spec.Security.CapabilitiesAdd.Count > 0 ? spec.Security.CapabilitiesAdd.ToList() : null,
            CapDrop = spec.Security.CapabilitiesDrop.Count > 0 ? spec.Security.CapabilitiesDrop.ToList() : null,
            SecurityOpt = spec.Security.NoNewPrivileges ? ["no-new-privileges"] : null,
            Privileged = spec.Security.Privileged,
            PidMode = spec.Security.HostPid ? "host" : null,
            IpcMode = spec.Security.HostIpc ? "host" : null,
        },
    };

    /// <summary>The engine's X-Registry-Auth for a pull; null pulls anonymously.</summary>
    public static AuthConfig? ToAuthConfig(RegistryCredential? credential) => credential is null ? null : new AuthConfig
    {
        Username = credential.Username,
        Password = credential.Password,
        IdentityToken = credential.IdentityToken,
        Email = credential.Email,
        ServerAddress = credential.ServerAddress,
    };

    public static ContainerInfo ToInfo(ContainerInspectResponse inspect)
    {
        var state = ToRunState(inspect.State?.Status);
        return new ContainerInfo
        {
            Id = inspect.ID,
            Name = inspect.Name.TrimStart('/'),
            Image = inspect.Config?.Image ?? inspect.Image,
            ImageId = inspect.Image,
            Labels = inspect.Config?.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
            State = state,
            // The engine reports 0 for a container that has not exited; only an exited one has a code.
            ExitCode = state == ContainerRunState.Exited ? (int?)inspect.State?.ExitCode : null,
            OomKilled = inspect.State?.OOMKilled ?? false,
            CreatedAt = inspect.Created == default ? null : AsUtc(inspect.Created),
            StartedAt = ParseEngineTime(inspect.State?.StartedAt),
            FinishedAt = ParseEngineTime(inspect.State?.FinishedAt),
            Error = string.IsNullOrEmpty(inspect.State?.Error) ? null : inspect.State.Error,
        };
    }

    /// <summary>
    /// The kubelet's imageID for a Docker image: the first repository digest when the image came from a registry
    /// (<c>docker-pullable://busybox@sha256:…</c>), else its content id (<c>docker://sha256:…</c>, an imported image).
    /// </summary>
    public static string ToImageRef(ImageInspectResponse image) =>
        image.RepoDigests is { Count: > 0 } digests ? "docker-pullable://" + digests[0] : "docker://" + image.ID;

    public static ContainerRunState ToRunState(string? status) => status switch
    {
        "created" => ContainerRunState.Created,
        "running" or "paused" or "restarting" => ContainerRunState.Running,
        "exited" or "dead" => ContainerRunState.Exited,
        _ => ContainerRunState.Unknown,
    };

    /// <summary>The engine's RFC 3339 time; its zero value ("0001-01-01T00:00:00Z") means never.</summary>
    public static DateTimeOffset? ParseEngineTime(string? text) =>
        !string.IsNullOrEmpty(text) && LogTimestamp.TryParse(text, out var time) && time.Year > 1 ? time : null;

    /// <summary>The Engine API's <c>since</c>: Unix seconds with nanoseconds after the dot.</summary>
    public static string ToUnixSince(DateTimeOffset since)
    {
        var ticks = Math.Max(0, since.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks);
        var seconds = ticks / TimeSpan.TicksPerSecond;
        var nanos = ticks % TimeSpan.TicksPerSecond * 100;
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.{nanos:D9}");
    }

    /// <summary>Splits an image reference into the repository and tag that <c>images/create</c> wants.</summary>
    public static (string Repository, string? Tag) SplitReference(string image)
    {
        // A digest names exactly one image; an untagged name means latest (an empty tag would pull every tag).
        if (image.Contains('@', StringComparison.Ordinal))
            return (image, null);
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? (image[..colon], image[(colon + 1)..]) : (image, "latest");
    }

    private static DateTimeOffset AsUtc(DateTime time) =>
        new(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime());
}
