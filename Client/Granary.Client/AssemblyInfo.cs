// The SDK's public surface is GranaryClient and the typed resource clients.
[assembly: System.CLSCompliant(false)]
