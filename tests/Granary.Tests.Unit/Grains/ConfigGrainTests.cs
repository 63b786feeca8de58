using System.Collections.Immutable;
using Granary.Api;
using Granary.Client;
using Granary.Errors;
using Granary.Model;

namespace Granary.Tests.Unit.Grains;

/// <summary>ConfigMaps and Secrets through their grains: what is stored, what is refused, and that stringData never stays.</summary>
public sealed class ConfigGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private GranaryClient Client => fixture.Client;

    private static ImmutableSortedDictionary<string, string> Strings(params (string Key, string Value)[] entries) =>
        entries.ToImmutableSortedDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    private static ConfigMap ConfigMap(string name, bool? immutable = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Data = Strings(("app.properties", "color=blue")),
        BinaryData = ImmutableSortedDictionary<string, Bytes>.Empty.Add("logo.png", new Bytes([0x89, 0x50, 0x4E, 0x47])),
        Immutable = immutable,
    };

    private static Secret Secret(string name, string? type = null, params (string Key, string Value)[] stringData) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Type = type,
        StringData = Strings(stringData),
    };

    [Fact]
    public async Task ConfigMap_CreateGetUpdateDelete_KeepsTextAndBinaryData()
    {
        var name = Unique.Name("cm");

        var created = await Client.ConfigMaps.CreateAsync(ConfigMap(name));
        var read = await Client.ConfigMaps.GetAsync("default", name);
        var updated = await Client.ConfigMaps.UpdateAsync(read with { Data = Strings(("app.properties", "color=red")) });
        await Client.ConfigMaps.DeleteAsync("default", name);

        Assert.Equal("color=blue", read.Data!["app.properties"]);
        Assert.Equal(new Bytes([0x89, 0x50, 0x4E, 0x47]), read.BinaryData!["logo.png"]);
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        Assert.Equal("color=red", updated.Data!["app.properties"]);
        await Assert.ThrowsAsync<NotFoundException>(() => Client.ConfigMaps.GetAsync("default", name));
    }

    [Fact]
    public async Task ConfigMap_Immutable_RefusesNewDataButTakesNewLabels()
    {
        var name = Unique.Name("cm-frozen");
        var created = await Client.ConfigMaps.CreateAsync(ConfigMap(name, immutable: true));

        var error = await Assert.ThrowsAsync<InvalidException>(() => Client.ConfigMaps.UpdateAsync(created with { Data = Strings(("app.properties", "color=red")) }));
        var unfrozen = await Assert.ThrowsAsync<InvalidException>(() => Client.ConfigMaps.UpdateAsync(created with { Immutable = false }));
        var labelled = await Client.ConfigMaps.UpdateAsync(created with { Metadata = created.Metadata with { Labels = Strings(("tier", "web")) } });

        Assert.Equal(["data: Forbidden: field is immutable when `immutable` is set"], error.Causes.Select(c => c.ToString()));
        Assert.Equal(["immutable: Forbidden: field is immutable when `immutable` is set"], unfrozen.Causes.Select(c => c.ToString()));
        Assert.Equal("web", labelled.Metadata.Labels!["tier"]);
        Assert.Equal("color=blue", (await Client.ConfigMaps.GetAsync("default", name)).Data!["app.properties"]);
    }

    [Fact]
    public async Task Secret_Create_MergesStringDataIntoData_DefaultsToOpaque_AndNeverStoresStringData()
    {
        var name = Unique.Name("secret");

        var created = await Client.Secrets.CreateAsync(Secret(name, null, ("password", "hunter2")) with
        {
            Data = ImmutableSortedDictionary<string, Bytes>.Empty.Add("user", Bytes.FromUtf8("admin")).Add("password", Bytes.FromUtf8("old")),
        });
        var read = await Client.Secrets.GetAsync("default", name);

        Assert.Null(created.StringData);
        Assert.Null(read.StringData);
        Assert.Equal(SecretTypes.Opaque, read.Type);
        Assert.Equal("hunter2", read.Data!["password"].ToUtf8());
        Assert.Equal("admin", read.Data["user"].ToUtf8());
    }

    [Fact]
    public async Task Secret_UpdateAndApply_MergeStringDataAgain()
    {
        var name = Unique.Name("secret-upd");
        var created = await Client.Secrets.CreateAsync(Secret(name, null, ("token", "one")));

        var updated = await Client.Secrets.UpdateAsync(created with { StringData = Strings(("token", "two")) });
        var applied = await Client.Secrets.ApplyAsync(Secret(name, null, ("extra", "three")) with { Data = updated.Data });

        Assert.Equal("two", updated.Data!["token"].ToUtf8());
        Assert.Null(updated.StringData);
        Assert.Equal(ApplyOutcome.Configured, applied.Outcome);
        Assert.Equal(["extra", "token"], applied.Object.Data!.Keys);
        Assert.Null((await Client.Secrets.GetAsync("default", name)).StringData);
    }

    [Fact]
    public async Task Secret_Type_IsImmutable_AndTlsNeedsItsKeys()
    {
        var name = Unique.Name("secret-tls");

        var missing = await Assert.ThrowsAsync<InvalidException>(() => Client.Secrets.CreateAsync(Secret(name, SecretTypes.Tls, ("tls.crt", "CERT"))));
        var created = await Client.Secrets.CreateAsync(Secret(name, SecretTypes.Tls, ("tls.crt", "CERT"), ("tls.key", "KEY")));
        var retyped = await Assert.ThrowsAsync<InvalidException>(() => Client.Secrets.UpdateAsync(created with { Type = SecretTypes.Opaque }));

        Assert.Equal(["data[tls.key]: Required value"], missing.Causes.Select(c => c.ToString()));
        Assert.Equal(["type: Invalid value: \"Opaque\": field is immutable"], retyped.Causes.Select(c => c.ToString()));
        Assert.DoesNotContain("CERT", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secret_ImmutableWithNewStringData_IsRefusedWithoutShowingTheValue()
    {
        var name = Unique.Name("secret-frozen");
        var created = await Client.Secrets.CreateAsync(Secret(name, null, ("key", "first")) with { Immutable = true });

        var error = await Assert.ThrowsAsync<InvalidException>(() => Client.Secrets.UpdateAsync(created with { StringData = Strings(("key", "second-value")) }));

        Assert.Equal(["data: Forbidden: field is immutable when `immutable` is set"], error.Causes.Select(c => c.ToString()));
        Assert.DoesNotContain("second-value", error.Message, StringComparison.Ordinal);
        Assert.Equal("first", (await Client.Secrets.GetAsync("default", name)).Data!["key"].ToUtf8());
    }

    [Fact]
    public async Task ListAndWatch_SeeSecretsAndConfigMaps_WithoutStringData()
    {
        var ns = Unique.Name("config-ns");
        await Client.Namespaces.CreateAsync(Objects.Namespace(ns));
        var list = await Client.Secrets.ListAsync(new ListOptions { Namespace = ns });
        await using var watch = Client.Secrets.WatchAsync(new WatchOptions { Namespace = ns, ResourceVersion = list.ResourceVersion }).GetAsyncEnumerator();

        await Client.Secrets.CreateAsync(Secret("db", null, ("password", "pw")) with { Metadata = new ObjectMeta { Name = "db", Namespace = ns } });
        await Client.ConfigMaps.CreateAsync(ConfigMap("settings") with { Metadata = new ObjectMeta { Name = "settings", Namespace = ns } });

        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20)), $"no watch event for secret {ns}/db");
        Assert.Equal(WatchEventType.Added, watch.Current.Type);
        Assert.Null(watch.Current.Object.StringData);
        Assert.Equal("pw", watch.Current.Object.Data!["password"].ToUtf8());
        // Every namespace also holds kube-root-ca.crt, as in Kubernetes (the root CA publisher's).
        Assert.Equal(["kube-root-ca.crt", "settings"], (await Client.ConfigMaps.ListAsync(new ListOptions { Namespace = ns })).Items.Select(c => c.Metadata.Name).Order());
    }
}
