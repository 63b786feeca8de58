namespace Granary.Silo.Security;

/// <summary>The API's TLS or token settings cannot be used; the message says what is wrong and how to fix it. The silo does not start.</summary>
internal sealed class ApiSecurityException(string message, Exception? inner = null) : Exception(message, inner);
