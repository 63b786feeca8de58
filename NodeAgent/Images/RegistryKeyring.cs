using System.Text;
using System.Text.Json;
using Granary.Model;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Images;

/// <summary>
/// Registry credentials from a pod's imagePullSecrets (<c>kubernetes.io/dockerconfigjson</c> and
/// <c>kubernetes.io/dockercfg</c>), matched to an image the way the kubelet's credential keyring does it
/// (pkg/credentialprovider/keyring.go): a key is a registry host with an optional port and path, hosts may hold
/// <c>*</c> globs per label, ports must be equal, the image's path must start with the key's path; the most specific
/// keys come first. Pure; never prints a credential.
/// </summary>
public sealed class RegistryKeyring
{
    private const string DockerHub = "docker.io";
    private static readonly string[] DockerHubAliases = ["index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"];

    private readonly List<(RegistryKey Key, RegistryCredential Credential)> _entries = [];

    /// <summary>Each credential of the secrets (in their order); secrets of other types and unreadable entries are skipped.</summary>
    public static RegistryKeyring From(IEnumerable<Secret> secrets)
    {
        var keyring = new RegistryKeyring();
        foreach (var secret in secrets)
        {
            var config = secret.Type switch
            {
                SecretTypes.DockerConfigJson => Auths(secret, SecretTypes.DockerConfigJsonKey, "auths"),
                SecretTypes.DockerConfig => Auths(secret, SecretTypes.DockerConfigKey, null),
                _ => null,
            };
            foreach (var (location, credential) in config ?? [])
                keyring.Add(location, credential);
        }
        return keyring;
    }

    public void Add(string location, RegistryCredential credential)
    {
        if (RegistryKey.Parse(location) is { } key)
            _entries.Add((key, credential with { ServerAddress = credential.ServerAddress ?? location }));
    }

    /// <summary>The credentials to try for <paramref name="image"/>, most specific key first (the kubelet tries each in turn).</summary>
    public IReadOnlyList<RegistryCredential> Lookup(string image)
    {
        var target = ImageKey(image);
        return [.. _entries
            .Where(e => e.Key.Matches(target))
            .OrderByDescending(e => e.Key.Host.Length + e.Key.Path.Length)
            .Select(e => e.Credential)];
    }

    /// <summary>The registry host and repository path of an image reference ("busybox" is docker.io/library/busybox).</summary>
    public static RegistryKey ImageKey(string image)
    {
        var name = image;
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
            name = name[..at];
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? "" : name[..slash];
        string host, path;
        if (slash >= 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost"))
            (host, path) = (first, name[(slash + 1)..]);
        else
            (host, path) = (DockerHub, slash < 0 ? "library/" + name : name);
        var colon = path.LastIndexOf(':');
        if (colon >= 0)
            path = path[..colon];
        return RegistryKey.Of(host, path);
    }

    private static List<(string, RegistryCredential)>? Auths(Secret secret, string key, string? wrapper)
    {
        if (secret.Data?.GetValueOrDefault(key) is not { Length: > 0 } data)
            return null;
        try
        {
            using var document = JsonDocument.Parse(data.Value.AsMemory());
            var root = document.RootElement;
            if (wrapper is not null && !root.TryGetProperty(wrapper, out root))
                return null;
            if (root.ValueKind != JsonValueKind.Object)
                return null;
            var found = new List<(string, RegistryCredential)>();
            foreach (var entry in root.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.Object && Credential(entry.Value) is { } credential)
                    found.Add((entry.Name, credential));
            }
            return found;
        }
        catch (JsonException)
        {
            // A malformed config provides no credentials, as in the kubelet (which logs it without the content).
            return null;
        }
    }

    /// <summary>username/password, or "auth" (base64 of "user:password") when they are absent.</summary>
    private static RegistryCredential? Credential(JsonElement entry)
    {
        var username = Text(entry, "username");
        var password = Text(entry, "password");
        if (string.IsNullOrEmpty(username) && Text(entry, "auth") is { Length: > 0 } auth)
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                    (username, password) = (decoded[..colon], decoded[(colon + 1)..]);
            }
            catch (FormatException)
            {
                return null;
            }
        }
        var identityToken = Text(entry, "identitytoken");
        if (string.IsNullOrEmpty(username) && string.IsNullOrEmpty(identityToken))
            return null;
        return new RegistryCredential { Username = username, Password = password, IdentityToken = identityToken, Email = Text(entry, "email") };
    }

    private static string? Text(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A keyring key or an image, as host (with port) and path.</summary>
    public sealed record RegistryKey(string Host, string Port, string Path)
    {
        public static RegistryKey Of(string hostAndPort, string path)
        {
            var colon = hostAndPort.LastIndexOf(':');
            var (host, port) = colon >= 0 ? (hostAndPort[..colon], hostAndPort[(colon + 1)..]) : (hostAndPort, "");
            host = host.ToLowerInvariant();
            if (DockerHubAliases.Contains(host))
                host = DockerHub;
            return new RegistryKey(host, port, path.Trim('/'));
        }

        /// <summary>A config location ("https://127.0.0.1:5000/v1/", "*.example.com", "registry/team"); null when unusable.</summary>
        public static RegistryKey? Parse(string location)
        {
            var value = location.Trim();
            var scheme = value.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0)
                value = value[(scheme + 3)..];
            if (value.Length == 0)
                return null;
            var slash = value.IndexOf('/', StringComparison.Ordinal);
            var (host, path) = slash < 0 ? (value, "") : (value[..slash], value[(slash + 1)..]);
            var key = Of(host, path);
            // Docker Hub's classic key is "https://index.docker.io/v1/": the path names the API, not a repository.
            return key.Host == DockerHub && key.Path is "v1" or "v2" ? key with { Path = "" } : key;
        }

        public bool Matches(RegistryKey image)
        {
            if (Port != image.Port)
                return false;
            var globs = Host.Split('.');
            var labels = image.Host.Split('.');
            if (globs.Length != labels.Length || !globs.Zip(labels).All(p => Glob(p.First, p.Second)))
                return false;
            return Path.Length == 0 || image.Path == Path || image.Path.StartsWith(Path + "/", StringComparison.Ordinal);
        }

        /// <summary>"*" matches any run of characters within one label, as Go's filepath.Match does there.</summary>
        private static bool Glob(string pattern, string text)
        {
            if (!pattern.Contains('*', StringComparison.Ordinal))
                return pattern == text;
            var parts = pattern.Split('*');
            if (!text.StartsWith(parts[0], StringComparison.Ordinal) || !text.EndsWith(parts[^1], StringComparison.Ordinal) || text.Length < parts[0].Length + parts[^1].Length)
                return false;
            var at = parts[0].Length;
            foreach (var middle in parts[1..^1])
            {
                var found = text.IndexOf(middle, at, StringComparison.Ordinal);
                if (found < 0 || found + middle.Length > text.Length - parts[^1].Length)
                    return false;
                at = found + middle.Length;
            }
            return true;
        }
    }
}
