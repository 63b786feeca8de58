using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Granary.Tests.Integration.Infrastructure;

namespace Granary.Tests.Integration.Agent;

/// <summary>Node n7 with a private dockerd, driven through the real kubectl against the silo's API (HTTPS and a token).</summary>
public sealed class VolumesCluster() : AgentClusterFixture("n7", block: 7)
{
    /// <summary>Claims' directories under the fixture's own state directory, never the system's.</summary>
    protected override IReadOnlyDictionary<string, string> AgentEnvironment =>
        new Dictionary<string, string> { ["GRANARY_LOCALPATHROOT"] = Path.Combine(StateDir, "local-path") };
}

/// <summary>
/// What a user of the Kubernetes documentation's tutorials does with ConfigMaps, Secrets and volumes, through kubectl
/// with its default validation, on real Docker: env from a ConfigMap, a Secret as files, an update reaching the
/// mounted file, emptyDir shared by two containers, a missing ConfigMap holding the container until it is created,
/// read-only mounts, runAsUser and readOnlyRootFilesystem. Each test has its own object names; every wait is bounded
/// and names its phase.
/// </summary>
public sealed class PodVolumesTests(VolumesCluster cluster) : IClassFixture<VolumesCluster>
{
    private Kubectl Kubectl => cluster.Kubectl;

    private CliResult Ok(CliResult r, string what) =>
        r.ExitCode == 0 ? r : throw new Xunit.Sdk.XunitException($"{what} failed: {r}{cluster.RecentOutput()}");

    private async Task ApplyAsync(string yaml) => Ok(await Kubectl.RunWithStdinAsync(yaml, "apply", "-f", "-"), "kubectl apply");

    /// <summary>kubectl wait for the pod's Ready condition (a watch); a failure shows kubectl describe of the pod.</summary>
    private async Task WaitReadyAsync(string pod)
    {
        var wait = await Kubectl.RunAsync("wait", "--for=condition=Ready", $"pod/{pod}", "--timeout=50s");
        if (wait.ExitCode != 0)
            throw new Xunit.Sdk.XunitException($"waiting for pod {pod} to be Ready failed: {wait}\n{(await Kubectl.RunAsync("describe", "pod", pod)).Stdout}{cluster.RecentOutput()}");
    }

    /// <summary>kubectl exec; <paramref name="target"/> is the pod (or deploy/name), optionally followed by "-c container".</summary>
    private async Task<CliResult> ExecAsync(string target, params string[] command) => await Kubectl.RunAsync(["exec", .. target.Split(' '), "--", .. command]);

    /// <summary>Runs <paramref name="command"/> in the pod until its output is <paramref name="expected"/>, for at most 60 s.</summary>
    private Task WaitForOutputAsync(string target, string expected, string phase, params string[] command) =>
        WaitUntilAsync(() => ExecAsync(target, command), r => r.ExitCode == 0 && r.Stdout == expected,
            $"{phase}: `{string.Join(' ', command)}` in {target} printing \"{expected}\"");

    /// <summary>Repeats a kubectl command until its result is what <paramref name="done"/> wants, for at most 60 s.</summary>
    private async Task WaitUntilAsync(Func<Task<CliResult>> run, Func<CliResult, bool> done, string phase)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        CliResult last;
        do
        {
            last = await run();
            if (done(last))
                return;
        }
        while (DateTimeOffset.UtcNow < deadline);
        throw new TimeoutException($"{phase}: not seen within 60s; last: {last}{cluster.RecentOutput()}");
    }

    [Fact]
    public async Task A_pods_environment_carries_the_kubelets_service_variables_unless_service_links_are_off()
    {
        await ApplyAsync("""
            apiVersion: v1
            kind: Service
            metadata:
              name: env-web
            spec:
              selector: {app: env-web}
              ports:
              - {name: http, port: 8080}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: env-linked
            spec:
              containers:
              - name: c
                image: local/busybox:1
                command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: env-unlinked
            spec:
              enableServiceLinks: false
              containers:
              - name: c
                image: local/busybox:1
                command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]
            """);
        var clusterIp = Ok(await Kubectl.RunAsync("get", "svc", "env-web", "-o", "jsonpath={.spec.clusterIP}"), "get the cluster IP").Stdout;
        await WaitReadyAsync("env-linked");
        await WaitReadyAsync("env-unlinked");

        var linked = Ok(await ExecAsync("env-linked", "env"), "env in env-linked").Stdout;
        Assert.Contains($"ENV_WEB_SERVICE_HOST={clusterIp}", linked, StringComparison.Ordinal);
        Assert.Contains("ENV_WEB_SERVICE_PORT_HTTP=8080", linked, StringComparison.Ordinal);
        Assert.Contains($"ENV_WEB_PORT_8080_TCP=tcp://{clusterIp}:8080", linked, StringComparison.Ordinal);
        Assert.Contains("KUBERNETES_SERVICE_HOST=", linked, StringComparison.Ordinal);

        var unlinked = Ok(await ExecAsync("env-unlinked", "env"), "env in env-unlinked").Stdout;
        Assert.DoesNotContain("ENV_WEB_SERVICE_HOST", unlinked, StringComparison.Ordinal);
        Assert.Contains("KUBERNETES_SERVICE_HOST=", unlinked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deployment_EnvFromAConfigMap_SecretAsFiles_AndAnUpdateReachesTheMountedFile()
    {
        await ApplyAsync("""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: game-config
            data:
              player_initial_lives: "3"
              ui_properties_file_name: user-interface.properties
              game.properties: |
                enemy.types=aliens,monsters
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: game-secret
            type: Opaque
            stringData:
              password: s3cret-value
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: game
            spec:
              replicas: 1
              selector:
                matchLabels: {app: game}
              template:
                metadata:
                  labels: {app: game}
                spec:
                  containers:
                  - name: game
                    image: local/busybox:1
                    command: [sh, -c, "echo lives=$(PLAYER_INITIAL_LIVES); while true; do sleep 1; done"]
                    env:
                    - name: PLAYER_INITIAL_LIVES
                      valueFrom:
                        configMapKeyRef:
                          name: game-config
                          key: player_initial_lives
                    envFrom:
                    - prefix: CFG_
                      configMapRef:
                        name: game-config
                    volumeMounts:
                    - name: config
                      mountPath: /config
                      readOnly: true
                    - name: secret
                      mountPath: /etc/secret
                      readOnly: true
                  volumes:
                  - name: config
                    configMap:
                      name: game-config
                      items:
                      - key: game.properties
                        path: game.properties
                  - name: secret
                    secret:
                      secretName: game-secret
                      defaultMode: 0400
            """);
        Ok(await Kubectl.RunAsync("rollout", "status", "deployment/game", "--timeout=50s"), "waiting for deployment game to roll out");

        var env = Ok(await ExecAsync("deploy/game", "sh", "-c", "echo $PLAYER_INITIAL_LIVES $CFG_ui_properties_file_name"), "reading env");
        var secret = Ok(await ExecAsync("deploy/game", "cat", "/etc/secret/password"), "reading the secret file");
        var mode = Ok(await ExecAsync("deploy/game", "stat", "-L", "-c", "%a", "/etc/secret/password"), "reading the secret file's mode");
        var config = Ok(await ExecAsync("deploy/game", "cat", "/config/game.properties"), "reading the config file");
        var logs = Ok(await Kubectl.RunAsync("logs", "deploy/game"), "reading the logs");
        Assert.Equal("3 user-interface.properties\n", env.Stdout);
        Assert.Equal("s3cret-value", secret.Stdout);
        Assert.Equal("400\n", mode.Stdout);
        Assert.Equal("enemy.types=aliens,monsters\n", config.Stdout);
        Assert.StartsWith("lives=3\n", logs.Stdout, StringComparison.Ordinal);

        Ok(await Kubectl.RunAsync("patch", "configmap", "game-config", "--type=merge", "-p",
            """{"data":{"player_initial_lives":"5","game.properties":"enemy.types=robots\n"}}"""), "updating the ConfigMap");

        await WaitForOutputAsync("deploy/game", "enemy.types=robots\n", "waiting for the ConfigMap update in /config/game.properties", "cat", "/config/game.properties");
        // Env values are fixed when the container starts, as in Kubernetes.
        Assert.Equal("3\n", Ok(await ExecAsync("deploy/game", "sh", "-c", "echo $PLAYER_INITIAL_LIVES"), "reading env after the update").Stdout);
    }

    [Fact]
    public async Task EmptyDir_IsSharedByTheContainersOfThePod()
    {
        await ApplyAsync("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: shared
            spec:
              containers:
              - name: writer
                image: local/busybox:1
                command: [sh, -c, "echo from-writer > /data/note; while true; do sleep 1; done"]
                volumeMounts:
                - {name: data, mountPath: /data}
              - name: reader
                image: local/busybox:1
                command: [sh, -c, "while true; do sleep 1; done"]
                volumeMounts:
                - {name: data, mountPath: /shared}
                - {name: scratch, mountPath: /scratch}
              volumes:
              - name: data
                emptyDir: {}
              - name: scratch
                emptyDir: {medium: Memory, sizeLimit: 1Mi}
            """);
        await WaitReadyAsync("shared");

        await WaitForOutputAsync("shared -c reader", "from-writer\n", "waiting for the writer's file in the reader's mount", "cat", "/shared/note");
        var tmpfs = Ok(await Kubectl.RunAsync("exec", "shared", "-c", "reader", "--", "sh", "-c", "grep ' /scratch ' /proc/mounts | cut -d' ' -f3"), "reading the reader's mounts");
        Assert.Equal("tmpfs\n", tmpfs.Stdout);
    }

    [Fact]
    public async Task MissingConfigMap_HoldsTheContainerInCreateContainerConfigError_UntilItIsCreated()
    {
        await ApplyAsync("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: waits-for-config
            spec:
              containers:
              - name: main
                image: local/busybox:1
                command: [sh, -c, "echo $GREETING; while true; do sleep 1; done"]
                env:
                - name: GREETING
                  valueFrom:
                    configMapKeyRef: {name: late-config, key: greeting}
            """);

        Ok(await Kubectl.RunAsync("wait", "--for=jsonpath={.status.containerStatuses[0].state.waiting.reason}=CreateContainerConfigError",
            "pod/waits-for-config", "--timeout=60s"), "waiting for CreateContainerConfigError");
        var message = Ok(await Kubectl.RunAsync("get", "pod", "waits-for-config", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.message}"), "reading the waiting message");
        Assert.Equal("configmap \"late-config\" not found", message.Stdout);

        await ApplyAsync("""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: late-config
            data:
              greeting: hello-late
            """);
        await WaitReadyAsync("waits-for-config");
        Assert.Equal("hello-late\n", Ok(await Kubectl.RunAsync("logs", "waits-for-config"), "reading the logs").Stdout);
    }

    [Fact]
    public async Task SecurityContext_RunAsUser_ReadOnlyMounts_AndAReadOnlyRoot()
    {
        await ApplyAsync("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: locked
            spec:
              securityContext:
                runAsUser: 1000
                runAsGroup: 3000
                fsGroup: 2000
              containers:
              - name: main
                image: local/busybox:1
                command: [sh, -c, "while true; do sleep 1; done"]
                securityContext:
                  readOnlyRootFilesystem: true
                  allowPrivilegeEscalation: false
                volumeMounts:
                - {name: data, mountPath: /data}
                - {name: data, mountPath: /data-ro, readOnly: true}
              volumes:
              - name: data
                emptyDir: {}
            """);
        await WaitReadyAsync("locked");

        var id = Ok(await ExecAsync("locked", "sh", "-c", "id -u; id -g; id -G"), "reading the ids");
        var writable = await ExecAsync("locked", "sh", "-c", "echo x > /data/f && cat /data-ro/f");
        var readOnlyMount = await ExecAsync("locked", "sh", "-c", "echo x > /data-ro/g");
        var readOnlyRoot = await ExecAsync("locked", "touch", "/new-file");

        Assert.Equal("1000\n3000\n", string.Join('\n', id.Stdout.Split('\n').Take(2)) + "\n");
        Assert.Contains("2000", id.Stdout.Split('\n')[2].Split(' '));
        Assert.Equal((0, "x\n"), (writable.ExitCode, writable.Stdout));
        Assert.NotEqual(0, readOnlyMount.ExitCode);
        Assert.Contains("Read-only file system", readOnlyMount.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, readOnlyRoot.ExitCode);
        Assert.Contains("Read-only file system", readOnlyRoot.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImagePullSecrets_AreTheRegistryCredentialsOfThePull()
    {
        await using var registry = await LocalRegistry.StartAsync("robot", "pull-pw");
        var image = $"{registry.Host}/team/busybox:1";
        await PushAsync(registry, image);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("robot:pull-pw"));
        var dockerConfig = $$"""{"auths":{"{{registry.Host}}":{"auth":"{{auth}}"} } }""";
        await ApplyAsync(PodWithoutCredentials("no-credentials", image));
        // ErrImagePull, then ImagePullBackOff whose message carries the last failure: either names the refusal.
        await WaitUntilAsync(
            () => Kubectl.RunAsync("get", "pod", "no-credentials", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.reason} {.status.containerStatuses[0].state.waiting.message}"),
            r => (r.Stdout.StartsWith("ErrImagePull ", StringComparison.Ordinal) || r.Stdout.StartsWith("ImagePullBackOff ", StringComparison.Ordinal))
                && r.Stdout.Contains("no basic auth credentials", StringComparison.Ordinal),
            "waiting for the pull without credentials to fail");

        await ApplyAsync($$$"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: regcred
            type: kubernetes.io/dockerconfigjson
            stringData:
              .dockerconfigjson: '{{{dockerConfig}}}'
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: private-image
            spec:
              imagePullSecrets:
              - name: regcred
              containers:
              - name: main
                image: {{{image}}}
                imagePullPolicy: Always
                command: [sh, -c, "while true; do sleep 1; done"]
            """);
        await WaitReadyAsync("private-image");

        // Always pulls for every start: the copy the other pod pulled does not open the image to a pod without credentials.
        Ok(await Kubectl.RunAsync("delete", "pod", "no-credentials", "--wait=true", "--timeout=50s"), "deleting the pod without credentials");
        await ApplyAsync(PodWithoutCredentials("still-no-credentials", image));
        await WaitUntilAsync(
            () => Kubectl.RunAsync("get", "pod", "still-no-credentials", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.message}"),
            r => r.Stdout.Contains("no basic auth credentials", StringComparison.Ordinal),
            "waiting for the pull without credentials to fail while the image is on the node");
    }

    private static string PodWithoutCredentials(string name, string image) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
        spec:
          containers:
          - name: main
            image: {{image}}
            imagePullPolicy: Always
            command: [sh, -c, "while true; do sleep 1; done"]
        """;

    /// <summary>Tags the fixture's busybox as <paramref name="image"/> in the fixture's dockerd, pushes it with the registry's credentials, and removes the tag, so a pod must pull it.</summary>
    private async Task PushAsync(LocalRegistry registry, string image)
    {
        // The client owns its configuration: DockerClient.Dispose disposes it.
#pragma warning disable CA2000
        using var docker = new DockerClientConfiguration(cluster.Dockerd.Endpoint).CreateClient();
#pragma warning restore CA2000
        var colon = image.LastIndexOf(':');
        var (repository, tag) = (image[..colon], image[(colon + 1)..]);
        await docker.Images.TagImageAsync(cluster.Dockerd.Image, new ImageTagParameters { RepositoryName = repository, Tag = tag });
        string? error = null;
        await docker.Images.PushImageAsync(repository, new ImagePushParameters { Tag = tag },
            new AuthConfig { Username = registry.User, Password = registry.Password, ServerAddress = registry.Host },
            new Progress<JSONMessage>(m => error ??= m.Error?.Message is { Length: > 0 } e ? e : m.ErrorMessage is { Length: > 0 } em ? em : null));
        Assert.True(error is null, $"pushing {image} to the test registry failed: {error}");
        await docker.Images.DeleteImageAsync(image, new ImageDeleteParameters());
    }

    [Fact]
    public async Task PersistentVolumeClaim_DataOutlivesThePod()
    {
        const string Claim = """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata:
              name: notes
            spec:
              accessModes: [ReadWriteOnce]
              resources:
                requests: {storage: 16Mi}
            """;
        static string Pod(string name, string script) => $$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: {{name}}
            spec:
              containers:
              - name: main
                image: local/busybox:1
                command: [sh, -c, "{{script}}; while true; do sleep 1; done"]
                volumeMounts:
                - {name: notes, mountPath: /notes}
              volumes:
              - name: notes
                persistentVolumeClaim: {claimName: notes}
            """;
        await ApplyAsync(Claim + "\n---\n" + Pod("first-writer", "echo kept > /notes/file"));
        await WaitReadyAsync("first-writer");
        await WaitForOutputAsync("first-writer", "kept\n", "waiting for the first pod's file on the claim", "cat", "/notes/file");

        Ok(await Kubectl.RunAsync("delete", "pod", "first-writer", "--wait=true", "--timeout=60s"), "deleting the first pod");
        await ApplyAsync(Pod("second-reader", "true"));
        await WaitReadyAsync("second-reader");

        Assert.Equal("kept\n", Ok(await ExecAsync("second-reader", "cat", "/notes/file"), "reading the file from the second pod").Stdout);
    }
}
