using System.Security.Cryptography;
using System.Text;
using Granary.Grains.Security;

namespace Granary.Silo.Security;

/// <summary>
/// Who a bearer token stands for. Tokens are kept as SHA-256 digests and a presented token is compared with every one
/// of them in constant time, so neither the comparison nor an early exit tells an attacker how much of a guess was right.
/// </summary>
internal sealed class TokenAuthenticator : ITokenAuthenticator
{
    private readonly (byte[] Digest, ApiUser User)[] _tokens;

    public TokenAuthenticator(IEnumerable<TokenFileEntry> entries) =>
        _tokens = [.. entries.Select(e => (Digest(e.Token), e.User))];

    public int Count => _tokens.Length;

    /// <summary>The token's user, or null when no token matches.</summary>
    public ApiUser? Authenticate(string token)
    {
        var digest = Digest(token);
        ApiUser? found = null;
        foreach (var (known, user) in _tokens)
        {
            // No break: every entry is compared whatever matched.
            if (CryptographicOperations.FixedTimeEquals(digest, known))
                found = user;
        }
        return found;
    }

    /// <summary>The token file's user as the authorizer sees it: its groups and system:authenticated, as kube's tokenfile authenticator.</summary>
    public ValueTask<UserInfo?> AuthenticateAsync(string token, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Authenticate(token) is { } user
            ? new UserInfo(user.Name, user.Uid, user.Groups.Append(WellKnownGroups.Authenticated).Distinct(StringComparer.Ordinal))
            : null);

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
