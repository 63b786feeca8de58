using Docker.DotNet.Models;

namespace Granary.NodeAgent.Runtime.Docker;

public sealed partial class DockerRuntime
{
    /// <summary>
    /// Imports a root filesystem tar as an image (Engine API <c>images/create?fromSrc=-</c>, what
    /// <c>docker import</c> does), so images exist without a registry. <paramref name="repoTag"/> is
    /// "repository:tag"; it goes whole into <c>repo</c> because podman ignores a separate <c>tag</c>.
    /// <paramref name="changes"/> are Dockerfile instructions such as <c>CMD ["/bin/sh"]</c>.
    /// Importing again makes a new image and leaves the old one dangling: check for it first.
    /// </summary>
    public static async Task ImportImageAsync(Uri endpoint, Stream tar, string repoTag, IReadOnlyList<string> changes, CancellationToken ct)
    {
        using var connection = new DockerConnection(endpoint, DefaultCallTimeout);
        var progress = new PullProgress();
        await connection.CallAsync($"import {repoTag}",
            (c, t) => c.Images.CreateImageAsync(new ImagesCreateParameters { Repo = repoTag, Changes = changes.ToList() }, tar, null, progress, t),
            ct, DefaultPullTimeout);
        if (progress.Error is { } error)
            throw new RuntimeException(RuntimeErrorKind.Failed, $"importing {repoTag} failed: {error}");
    }
}
