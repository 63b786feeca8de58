using Granary.Grains.Security;
using Granary.Grains.ServiceAccounts;

namespace Granary.Silo.Security;

/// <summary>
/// The ServiceAccount token settings from the silo's flags, checked at start (a key file that cannot be read stops the
/// silo with the reason, rather than failing every TokenRequest later), and their wiring: the issuer grain's options,
/// the token authenticator the API asks after its token file, and the CA the root CA publisher hands to pods.
/// </summary>
internal static class ServiceAccountTokens
{
    /// <summary>kube-apiserver's bounds for --service-account-max-token-expiration.</summary>
    private static readonly TimeSpan MinMaxExpiration = TimeSpan.FromHours(1);

    public static ServiceAccountTokenOptions? Options(SiloSettings settings, out string? problem)
    {
        problem = null;
        if (!Uri.TryCreate(settings.ServiceAccountIssuer, UriKind.Absolute, out _) && settings.ServiceAccountIssuer.Contains(':', StringComparison.Ordinal))
            return Fail($"--service-account-issuer {settings.ServiceAccountIssuer} is neither a URL nor a name without a colon", out problem);
        if (string.IsNullOrWhiteSpace(settings.ServiceAccountIssuer))
            return Fail("--service-account-issuer is empty: give a URL such as https://kubernetes.default.svc.cluster.local", out problem);
        var options = new ServiceAccountTokenOptions
        {
            Issuer = settings.ServiceAccountIssuer,
            Audiences = [.. (settings.ApiAudiences ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            SigningKeyFile = Given(settings.ServiceAccountSigningKeyFile),
            KeyFile = Given(settings.ServiceAccountKeyFile),
        };
        if (Given(settings.ServiceAccountMaxTokenExpiration) is { } max)
        {
            if (!DurationSetting.TryParse(max, out var duration) || duration < MinMaxExpiration ||
                duration.TotalSeconds > ServiceAccountTokenOptions.MaxExpirationSeconds)
                return Fail($"--service-account-max-token-expiration {max} must be a duration between 1h and 2^32 seconds (e.g. 24h)", out problem);
            options.MaxExpiration = duration;
        }
        foreach (var (file, flag, requirePrivate) in new[] { (options.SigningKeyFile, "--service-account-signing-key-file", true), (options.KeyFile, "--service-account-key-file", false) })
        {
            if (file is null)
                continue;
            try
            {
                using var key = TokenSigningKey.FromPem(File.ReadAllText(file), requirePrivate, $"{flag} {file}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return Fail($"{flag} {file} cannot be used: {e.Message}", out problem);
            }
        }
        return options;
    }

    public static void Add(IServiceCollection services, ServiceAccountTokenOptions options, ApiSecurity security)
    {
        services.Configure<ServiceAccountTokenOptions>(o =>
        {
            o.Issuer = options.Issuer;
            o.Audiences = options.Audiences;
            o.SigningKeyFile = options.SigningKeyFile;
            o.KeyFile = options.KeyFile;
            o.MaxExpiration = options.MaxExpiration;
        });
        services.Configure<RootCaOptions>(o => o.CaPem = security.Kubeconfig.CertificateAuthorityPem ?? "");
        services.AddSingleton<ServiceAccountTokenAuthenticator>();
        services.AddSingleton<ITokenAuthenticator>(sp => sp.GetRequiredService<ServiceAccountTokenAuthenticator>());
    }

    private static ServiceAccountTokenOptions? Fail(string why, out string? problem)
    {
        problem = why;
        return null;
    }

    private static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
