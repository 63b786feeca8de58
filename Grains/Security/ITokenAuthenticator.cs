namespace Granary.Grains.Security;

/// <summary>
/// One way a bearer token may identify its caller (kube's authenticator.Token): the HTTP API asks each registered one,
/// after its token file, until one knows the token.
/// </summary>
public interface ITokenAuthenticator
{
    /// <summary>
    /// The caller <paramref name="token"/> stands for, or null when this authenticator does not accept it (not its kind
    /// of token, a bad signature, expired, revoked). Throws only for a fault that a retry may cure (storage unreachable).
    /// </summary>
    ValueTask<UserInfo?> AuthenticateAsync(string token, CancellationToken cancellationToken);
}
