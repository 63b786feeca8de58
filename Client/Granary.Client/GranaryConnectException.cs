namespace Granary.Client;

/// <summary>The cluster could not be reached; the message says what was tried and how to fix it.</summary>
public sealed class GranaryConnectException(string message, Exception? inner = null) : Exception(message, inner);
