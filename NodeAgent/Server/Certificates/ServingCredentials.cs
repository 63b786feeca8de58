using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Granary.Certificates;
using Granary.NodeAgent.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.NodeAgent.Server.Certificates;

/// <summary>
/// What the agent's server proves and trusts: its serving certificate (CN=system:node:NAME, signed by the cluster CA)
/// and the cluster CA certificate that every client certificate must chain to. Kept in the agent's state directory
/// (pki/, the key 0600) so a restarted agent serves at once with what it had; replaced whole when renewed, and
/// Kestrel asks <see cref="Current"/> at every handshake, so a renewal takes effect without a restart.
/// Until the first certificate arrives the server completes no handshake: it has nothing to prove.
/// </summary>
public sealed partial class ServingCredentials
{
    public const string Directory = "pki";
    public const string KeyFile = "kubelet-serving.key";
    public const string CertificateFile = "kubelet-serving.crt";
    public const string AuthorityFile = "ca.crt";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile Loaded? _loaded;

    public ServingCredentials(IOptions<AgentSettings> options, TimeProvider time, ILogger<ServingCredentials> logger)
    {
        _directory = Path.Combine(options.Value.StateDir, Directory);
        _time = time;
        _logger = logger;
        _loaded = LoadStored();
    }

    /// <summary>The certificate (with its key) to serve, or null before the first one arrived.</summary>
    public X509Certificate2? Current => _loaded?.Serving;

    /// <summary>The cluster CA certificate, or null before the first certificate arrived.</summary>
    public X509Certificate2? Authority => _loaded?.Authority;

    /// <summary>The serving key: the stored one, or a new ECDSA P-256 key written 0600 before it is used.</summary>
    public ECDsa LoadOrCreateKey()
    {
        var path = Path.Combine(_directory, KeyFile);
        var key = ECDsa.Create();
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
            return key;
        }
        key.Dispose();
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Write(path, key.ExportPkcs8PrivateKeyPem() + "\n");
        return key;
    }

    /// <summary>Stores and serves a certificate for <paramref name="key"/> and the CA that signed it.</summary>
    public void Replace(ECDsa key, string certificatePem, string authorityPem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        var serving = certificate.CopyWithPrivateKey(key);
        var authority = X509Certificate2.CreateFromPem(authorityPem);
        Write(Path.Combine(_directory, AuthorityFile), authorityPem);
        Write(Path.Combine(_directory, CertificateFile), certificatePem);
        // The old pair is not disposed: a handshake in flight may still hold it; the GC collects it.
        _loaded = new Loaded(serving, authority, authorityPem.Trim());
    }

    /// <summary>Whether <paramref name="authorityPem"/> is the CA the agent trusts now.</summary>
    public bool TrustsAuthority(string authorityPem) => _loaded?.AuthorityPem == authorityPem.Trim();

    /// <summary>
    /// Kestrel's check of a client certificate: only a silo's certificate from the cluster CA passes (no system roots,
    /// whatever the platform's own verdict was).
    /// </summary>
    public bool AcceptsClient(X509Certificate2? certificate)
    {
        var authority = _loaded?.Authority;
        var problem = certificate is null ? "it presented no certificate"
            : authority is null ? "this agent has no cluster CA yet"
            : ClusterIdentities.SiloClientProblem(certificate, authority, _time.GetUtcNow());
        if (problem is null)
            return true;
        LogRefused(_logger, certificate?.Subject ?? "(none)", problem);
        return false;
    }

    private Loaded? LoadStored()
    {
        var key = Path.Combine(_directory, KeyFile);
        var certificate = Path.Combine(_directory, CertificateFile);
        var authority = Path.Combine(_directory, AuthorityFile);
        if (!File.Exists(key) || !File.Exists(certificate) || !File.Exists(authority))
            return null;
        try
        {
            var authorityPem = File.ReadAllText(authority);
            return new Loaded(X509Certificate2.CreateFromPem(File.ReadAllText(certificate), File.ReadAllText(key)),
                X509Certificate2.CreateFromPem(authorityPem), authorityPem.Trim());
        }
        catch (CryptographicException e)
        {
            // A damaged file is not fatal: the agent asks for a new certificate once connected.
            LogUnreadable(_logger, _directory, e.Message);
            return null;
        }
    }

    private void Write(string path, string content)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the agent keeps its key with Unix file modes: it runs on Linux");
        System.IO.Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // Written aside with its final mode, then renamed: a reader never sees half a file, nor a key readable by others.
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
        using (var writer = new StreamWriter(stream))
            writer.Write(content);
        File.Move(temp, path, overwrite: true);
    }

    private sealed record Loaded(X509Certificate2 Serving, X509Certificate2 Authority, string AuthorityPem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent server refused a client certificate {Subject}: {Problem}")]
    private static partial void LogRefused(ILogger logger, string subject, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stored serving certificate in {Directory} cannot be read ({Reason}); a new one is requested")]
    private static partial void LogUnreadable(ILogger logger, string directory, string reason);
}
