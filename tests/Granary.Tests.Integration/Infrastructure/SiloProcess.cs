namespace Granary.Tests.Integration.Infrastructure;

/// <summary>
/// A real silo process (the built Granary.Silo.dll), started on its own ports, with its Kubernetes API on its own
/// port and its kubeconfig in its own temp folder (never the user's ~/.granary). The API serves HTTPS with
/// bearer tokens (dev mode too, unless --api-tls false), and the CA and token it generates live in that folder too.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly bool _ownsDir;

    private SiloProcess(ChildProcess process, int siloPort, int gatewayPort, int apiPort, string dir, string kubeconfig, Uri apiUrl, bool ownsDir)
    {
        Process = process;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        ApiPort = apiPort;
        Dir = dir;
        Kubeconfig = kubeconfig;
        ApiUrl = apiUrl;
        _ownsDir = ownsDir;
    }

    public ChildProcess Process { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public string Gateway => $"127.0.0.1:{GatewayPort}";

    public int ApiPort { get; }

    /// <summary>The silo's temp folder; it holds the kubeconfig and is deleted with the silo unless the test gave it.</summary>
    public string Dir { get; }

    public string Kubeconfig { get; }

    /// <summary>http:// or https://, as the silo announced its API.</summary>
    public Uri ApiUrl { get; }

    /// <summary>
    /// For silos whose tests create nodes with no agent behind them: a node monitor grace period longer than any test,
    /// so those nodes stay Ready instead of turning Unknown and having their pods evicted after seconds.
    /// </summary>
    public static readonly string[] AgentlessNodes = ["--node-monitor-grace-period", "1h"];

    /// <summary>
    /// Starts a silo (Redis mode when <paramref name="redis"/> is set) and waits until it says it is ready and its
    /// API listens.
    /// </summary>
    public static Task<SiloProcess> StartAsync(string? redis, string clusterId, params string[] extraArgs) =>
        StartAsync(Directory.CreateTempSubdirectory("granary-silo-").FullName, ownsDir: true, "kubeconfig", redis, clusterId, extraArgs);

    /// <summary>
    /// Starts a silo whose kubeconfig is <paramref name="kubeconfigName"/> in <paramref name="dir"/>, a folder the test owns
    /// (and may share between silos, or keep across a restart, as ~/.granary is).
    /// </summary>
    public static Task<SiloProcess> StartInAsync(string dir, string kubeconfigName, string? redis, string clusterId, params string[] extraArgs) =>
        StartAsync(dir, ownsDir: false, kubeconfigName, redis, clusterId, extraArgs);

    /// <summary>The arguments of a silo on the given ports (for tests that start it themselves).</summary>
    public static List<string> Arguments(int siloPort, int gatewayPort, int apiPort, string kubeconfig, string? redis, string clusterId, IEnumerable<string> extraArgs)
    {
        var args = new List<string>
        {
            RepoPaths.SiloDll, "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--cluster-id", clusterId,
            "--api-port", $"{apiPort}", "--kubeconfig", kubeconfig,
        };
        if (redis is not null)
            args.AddRange(["--redis", redis]);
        // Production silos speak mutual TLS with the fixture's lab certificates, unless the test says otherwise.
        var extra = extraArgs.ToList();
        if (redis is not null && !extra.Any(a => a.StartsWith("--orleans-tls", StringComparison.Ordinal) || a.StartsWith("--cluster-ca", StringComparison.Ordinal)))
            args.AddRange(LabPki.For(redis).SiloArguments);
        args.AddRange(extra);
        return args;
    }

    private static async Task<SiloProcess> StartAsync(string dir, bool ownsDir, string kubeconfigName, string? redis, string clusterId, string[] extraArgs)
    {
        int siloPort = FreePort.Next(), gatewayPort = FreePort.Next(), apiPort = FreePort.Next();
        var kubeconfig = Path.Combine(dir, kubeconfigName);
        var process = ChildProcess.Start($"silo:{siloPort}", "dotnet", Arguments(siloPort, gatewayPort, apiPort, kubeconfig, redis, clusterId, extraArgs));
        // The silo names its API's URL (http or https) before it says it is ready.
        var announced = await process.WaitForLineAsync("Kubernetes API at ", StartTimeout, $"starting silo on port {siloPort}");
        var apiUrl = new Uri(System.Text.RegularExpressions.Regex.Match(announced, @"Kubernetes API at (\S+)").Groups[1].Value);
        await process.WaitForLineAsync("Silo ready", StartTimeout, $"starting silo on port {siloPort}");
        await process.WaitForLineAsync($"Now listening on: {apiUrl.Scheme}://127.0.0.1:{apiPort}", StartTimeout, $"starting the API of silo {siloPort} on port {apiPort}");
        return new SiloProcess(process, siloPort, gatewayPort, apiPort, dir, kubeconfig, apiUrl, ownsDir);
    }

    /// <summary>
    /// A client of the API as the kubeconfig describes it: over HTTPS trusting only the kubeconfig's CA and sending its
    /// token (dev mode too serves HTTPS), or plain HTTP for a silo started with --api-tls false.
    /// </summary>
    public HttpClient CreateHttpClient()
    {
        if (ApiUrl.Scheme != Uri.UriSchemeHttps)
            return new HttpClient { BaseAddress = ApiUrl, Timeout = TimeSpan.FromSeconds(60) };
        var kubeconfig = ApiSecurity.KubeconfigView.Read(Kubeconfig);
        return kubeconfig.Client(ApiUrl, kubeconfig.Token);
    }

    public Task StopAsync() => Process.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        if (_ownsDir)
            Directory.Delete(Dir, recursive: true);
    }
}
