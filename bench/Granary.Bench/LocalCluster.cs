using System.Diagnostics;

namespace Granary.Bench;

/// <summary>
/// The private cluster the benchmark runs against when given no --redis or --gateway: a redis-server without
/// persistence and one silo in Redis mode, both on free 127.0.0.1 ports (the silo's Kubernetes API too), with a
/// temporary folder for Redis and the silo's kubeconfig. Disposing stops the silo, then Redis (SIGTERM), and removes the folder.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private const string RedisServerPath = "/usr/bin/redis-server";
    private const string SiloDll = "Silo/bin/Release/net10.0/Granary.Silo.dll";
    private static readonly TimeSpan RedisStartLimit = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SiloStartLimit = TimeSpan.FromSeconds(90);

    private readonly string _tempDir;
    private readonly TextWriter _output;
    private ChildProcess? _redis;
    private ChildProcess? _silo;
    // Silos beyond the first (--silos N): same Redis and cluster id, their own ports and kubeconfigs.
    private readonly List<ChildProcess> _moreSilos = [];
    private readonly List<ApiAccess> _moreApis = [];
    private readonly List<string> _moreGateways = [];
    private CpuPinning? _pinning;

    private LocalCluster(string tempDir, string clusterId, TextWriter output)
    {
        _tempDir = tempDir;
        ClusterId = clusterId;
        _output = output;
    }

    public string ClusterId { get; }

    /// <summary>The silo's gateway, "127.0.0.1:PORT".</summary>
    public string Gateway { get; private set; } = "";

    public string Redis { get; private set; } = "";

    /// <summary>The silo's Kubernetes API: HTTPS with the generated CA and admin token, read from the kubeconfig it writes.</summary>
    public ApiAccess Api { get; private set; } = ApiAccess.Plain(new Uri("http://127.0.0.1"));

    public ChildProcess Silo => _silo ?? throw new InvalidOperationException("the silo is not started");

    /// <summary>Every silo started: the first, then those of <c>silos</c> &gt; 1.</summary>
    public IReadOnlyList<ChildProcess> Silos => [Silo, .. _moreSilos];

    /// <summary>Every silo's Kubernetes API, in the order of <see cref="Silos"/>: clients spread over them as behind a load balancer.</summary>
    public IReadOnlyList<ApiAccess> Apis => [Api, .. _moreApis];

    /// <summary>Every silo's gateway, "127.0.0.1:PORT", in the order of <see cref="Silos"/>.</summary>
    public IReadOnlyList<string> Gateways => [Gateway, .. _moreGateways];

    /// <param name="siloArgs">More arguments for the silo (configuration such as --WatchCache:EventWindowBytes=N).</param>
    /// <param name="silos">How many silos share the Redis.</param>
    /// <param name="pinning">The cores of each silo and of Redis (taskset), or null to let them run anywhere.</param>
    public static async Task<LocalCluster> StartAsync(string repoRoot, string clusterId, TextWriter output, CancellationToken ct, IReadOnlyList<string>? siloArgs = null, int silos = 1,
        CpuPinning? pinning = null)
    {
        var cluster = new LocalCluster(Directory.CreateTempSubdirectory("granary-bench-").FullName, clusterId, output) { _pinning = pinning };
        try
        {
            var dll = await ProcessHelpers.EnsureBuiltAsync(repoRoot, "Silo", SiloDll, output, ct);
            await cluster.StartRedisAsync(ct);
            await cluster.StartSiloAsync(dll, repoRoot, siloArgs ?? [], ct);
            for (var i = 1; i < silos; i++)
                await cluster.StartMoreSiloAsync(dll, repoRoot, i, siloArgs ?? [], ct);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartRedisAsync(CancellationToken ct)
    {
        if (!File.Exists(RedisServerPath))
            throw new BenchmarkException($"{RedisServerPath} is missing: install redis-server (apt-get install redis-server), or point at a running cluster with --redis/--gateway");
        var port = ProcessHelpers.FreeLoopbackPorts(1)[0];
        string[] arguments = ["--bind", "127.0.0.1", "--port", $"{port}", "--save", "", "--appendonly", "no", "--dir", _tempDir, "--daemonize", "no"];
        var (file, args) = CpuPinning.Wrap(_pinning?.Rest, RedisServerPath, arguments);
        _redis = await ChildProcess.StartAsync("redis-server", file, args, _tempDir, "Ready to accept connections", RedisStartLimit, ct);
        Redis = $"127.0.0.1:{port}";
        _output.WriteLine($"redis-server ready on {Redis} (pid {_redis.Pid}, no persistence, dir {_tempDir}{OnCpus(_pinning?.Rest)})");
    }

    private async Task StartSiloAsync(string dll, string repoRoot, IReadOnlyList<string> siloArgs, CancellationToken ct)
    {
        var ports = ProcessHelpers.FreeLoopbackPorts(3);
        // Its own API port and kubeconfig, so the benchmark neither collides with another silo nor touches ~/.granary.
        string[] arguments = [dll, "--redis", Redis, "--silo-port", $"{ports[0]}", "--gateway-port", $"{ports[1]}", "--cluster-id", ClusterId,
            "--api-port", $"{ports[2]}", "--kubeconfig", Path.Combine(_tempDir, "kubeconfig"),
            // A throwaway Redis without persistence, deliberately: the benchmark measures the control plane, not the disk.
            "--redis-without-aof",
            // Plain Orleans ports on loopback, as in dev mode: the benchmarks' own clients carry no cluster certificates.
            "--orleans-tls=false", .. siloArgs];
        var (file, args) = CpuPinning.Wrap(_pinning?.Silos[0], "dotnet", arguments);
        _output.WriteLine($"starting the silo: {file} {string.Join(' ', args)}");
        var started = Stopwatch.GetTimestamp();
        _silo = await ChildProcess.StartAsync("the silo", file, args, repoRoot, "Silo ready", SiloStartLimit, ct);
        Gateway = $"127.0.0.1:{ports[1]}";
        Api = ApiAccess.FromKubeconfig(Path.Combine(_tempDir, "kubeconfig"));
        await WaitForApiAsync(Api, _silo, SiloStartLimit - Stopwatch.GetElapsedTime(started), ct);
        _output.WriteLine($"silo ready in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s (pid {_silo.Pid}, gateway {Gateway}, API {Api.Url}, cluster {ClusterId}{OnCpus(_pinning?.Silos[0])})");
    }

    private async Task StartMoreSiloAsync(string dll, string repoRoot, int index, IReadOnlyList<string> siloArgs, CancellationToken ct)
    {
        var ports = ProcessHelpers.FreeLoopbackPorts(3);
        string[] arguments = [dll, "--redis", Redis, "--silo-port", $"{ports[0]}", "--gateway-port", $"{ports[1]}", "--cluster-id", ClusterId,
            "--api-port", $"{ports[2]}", "--kubeconfig", Path.Combine(_tempDir, $"kubeconfig-{index}"), "--redis-without-aof", "--orleans-tls=false", .. siloArgs];
        var (file, args) = CpuPinning.Wrap(_pinning?.Silos[index], "dotnet", arguments);
        _output.WriteLine($"starting silo {index}: {file} {string.Join(' ', args)}");
        var started = Stopwatch.GetTimestamp();
        var silo = await ChildProcess.StartAsync($"silo {index}", file, args, repoRoot, "Silo ready", SiloStartLimit, ct);
        _moreSilos.Add(silo);
        _moreGateways.Add($"127.0.0.1:{ports[1]}");
        var api = ApiAccess.FromKubeconfig(Path.Combine(_tempDir, $"kubeconfig-{index}"));
        await WaitForApiAsync(api, silo, SiloStartLimit - Stopwatch.GetElapsedTime(started), ct);
        _moreApis.Add(api);
        _output.WriteLine($"silo {index} ready in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s (pid {silo.Pid}, gateway {_moreGateways[^1]}, API {api.Url}{OnCpus(_pinning?.Silos[index])})");
    }

    private static string OnCpus(string? cpus) => cpus is null ? "" : $", cpu {cpus}";

    /// <summary>Stops every silo and leaves Redis running (for measurements of Redis alone); dispose stops Redis.</summary>
    public async Task StopSilosAsync()
    {
        foreach (var silo in _moreSilos.AsEnumerable().Reverse().Append(_silo))
        {
            if (silo is not null)
                await silo.StopAndReportAsync(_output);
        }
    }

    /// <summary>
    /// Waits until the API answers /readyz with 200: the silo says it is ready when Orleans is, and the web server
    /// may start listening a moment later.
    /// </summary>
    private static async Task WaitForApiAsync(ApiAccess api, ChildProcess silo, TimeSpan limit, CancellationToken ct)
    {
        using var http = api.CreateClient(TimeSpan.FromSeconds(5));
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        string last = "no answer yet";
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (silo.HasExited)
                throw new BenchmarkException($"{silo.Name} exited before its API answered. {silo.FormatTail()}");
            try
            {
                using var response = await http.GetAsync("/readyz", ct);
                if (response.IsSuccessStatusCode)
                    return;
                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // Not listening yet, or a request timed out: try again until the limit.
                last = e.Message;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
        throw new BenchmarkException($"the API of {silo.Name} at {api.Url} did not answer /readyz within {limit.TotalSeconds:0} s (last: {last}). {silo.FormatTail()}");
    }

    public async ValueTask DisposeAsync()
    {
        // The silo first, so that it does not spend its shutdown retrying a Redis that is gone.
        foreach (var child in _moreSilos.Append(_silo).Append(_redis))
        {
            if (child is null)
                continue;
            await child.StopAndReportAsync(_output);
            await child.DisposeAsync();
        }
        try
        {
            Directory.Delete(_tempDir, recursive: true);
        }
        catch (IOException e)
        {
            _output.WriteLine($"could not remove {_tempDir}: {e.Message}");
        }
    }
}
