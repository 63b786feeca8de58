namespace Granary.Grains.Security;

/// <summary>
/// Turns a bearer token into its user, as one of kube-apiserver's token authenticators (the token file,
/// ServiceAccount tokens). The API asks every registered one in turn; the first that knows the token decides.
/// </summary>
public interface ITokenAuthenticator
{
    /// <summary>The token's user, with <see cref="WellKnownGroups.Authenticated"/> among its groups; null when this
    /// authenticator does not know the token (another may).</summary>
    ValueTask<UserInfo?> AuthenticateAsync(string token, CancellationToken cancellationToken);
}
