using System.Collections.Immutable;
using Granary.Api;
using Granary.Model;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Pods;
using Granary.NodeAgent.Volumes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.NodeAgent.Volumes;

/// <summary>The node's copy of referenced ConfigMaps and Secrets: what is read when, what is kept, what is dropped.</summary>
public sealed class PodConfigCacheTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingReader _reader = new();
    private readonly PodConfigCache _cache;
    private readonly AgentObserver _observer = new(new DesiredPods(), null!);

    public PodConfigCacheTests() =>
        _cache = new PodConfigCache(_reader, _observer, Options.Create(new AgentSettings { ResyncPeriod = TimeSpan.FromSeconds(30) }), _time, NullLogger<PodConfigCache>.Instance);

    private static Pod Pod(string name, params string[] configMaps) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default", Uid = name },
        Spec = new PodSpec
        {
            Containers = [new Container { Name = "main", EnvFrom = [.. configMaps.Select(c => new EnvFromSource { ConfigMapRef = new ConfigMapEnvSource { Name = c } })] }],
            ImagePullSecrets = [new LocalObjectReference { Name = "registry" }],
        },
    };

    [Fact]
    public async Task Refresh_ReadsWhatIsReferenced_OncePerNamespace_UntilTheResync()
    {
        _reader.ConfigMaps["a"] = "1";

        await _cache.RefreshAsync([Pod("p", "a", "b")], CancellationToken.None);
        await _cache.RefreshAsync([Pod("p", "a", "b")], CancellationToken.None);

        Assert.Equal(["default: a,b / registry"], _reader.Reads);
        Assert.Equal("1", _cache.ConfigMap("default", "a")!.Data!["k"]);
        Assert.Null(_cache.ConfigMap("default", "b"));
        Assert.Null(_cache.Secret("default", "registry"));

        _time.Advance(TimeSpan.FromSeconds(30));
        await _cache.RefreshAsync([Pod("p", "a", "b")], CancellationToken.None);
        Assert.Equal(2, _reader.Reads.Count);
    }

    [Fact]
    public async Task Hint_RereadsOnlyThatObject_AndAsksForAPass()
    {
        await _cache.RefreshAsync([Pod("p", "a", "b")], CancellationToken.None);
        var passes = 0;
        _cache.Changed += () => passes++;
        _reader.ConfigMaps["a"] = "2";

        await _observer.PodConfigChangedAsync("ConfigMap", "default", "a");
        await _observer.PodConfigChangedAsync("ConfigMap", "default", "unreferenced");
        await _cache.RefreshAsync([Pod("p", "a", "b")], CancellationToken.None);

        Assert.Equal(1, passes);
        Assert.Equal("default: a / ", _reader.Reads[^1]);
        Assert.Equal("2", _cache.ConfigMap("default", "a")!.Data!["k"]);
    }

    [Fact]
    public async Task Refresh_DropsWhatNoPodReferences()
    {
        _reader.ConfigMaps["a"] = "1";
        await _cache.RefreshAsync([Pod("p", "a")], CancellationToken.None);

        await _cache.RefreshAsync([], CancellationToken.None);

        Assert.Throws<ContainerConfigException>(() => _cache.ConfigMap("default", "a"));
    }

    [Fact]
    public async Task Refresh_WhileTheControlPlaneIsAway_KeepsWhatIsHeld_AndRetries()
    {
        _reader.ConfigMaps["a"] = "1";
        await _cache.RefreshAsync([Pod("p", "a")], CancellationToken.None);
        _reader.Unreachable = true;
        _time.Advance(TimeSpan.FromSeconds(30));

        await _cache.RefreshAsync([Pod("p", "a"), Pod("q", "c")], CancellationToken.None);

        Assert.Equal("1", _cache.ConfigMap("default", "a")!.Data!["k"]);
        Assert.Throws<ContainerConfigException>(() => _cache.ConfigMap("default", "c"));
        _reader.Unreachable = false;
        await _cache.RefreshAsync([Pod("p", "a"), Pod("q", "c")], CancellationToken.None);
        Assert.Null(_cache.ConfigMap("default", "c"));
    }

    private sealed class RecordingReader : IPodConfigReader
    {
        public Dictionary<string, string> ConfigMaps { get; } = [];
        public List<string> Reads { get; } = [];
        public bool Unreachable { get; set; }

        public Task<PodConfigObjects?> ReadAsync(string @namespace, ImmutableArray<string> configMaps, ImmutableArray<string> secrets, CancellationToken ct)
        {
            if (Unreachable)
                return Task.FromResult<PodConfigObjects?>(null);
            Reads.Add($"{@namespace}: {string.Join(",", configMaps.Order(StringComparer.Ordinal))} / {string.Join(",", secrets)}");
            ImmutableArray<ConfigMap> found = [.. configMaps.Where(ConfigMaps.ContainsKey).Select(n => new ConfigMap
            {
                Metadata = new ObjectMeta { Name = n, Namespace = @namespace },
                Data = ImmutableSortedDictionary<string, string>.Empty.Add("k", ConfigMaps[n]),
            })];
            return Task.FromResult<PodConfigObjects?>(new PodConfigObjects(found, []));
        }
    }
}
