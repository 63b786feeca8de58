namespace Granary.Bench;

/// <summary>Disposes the creators' HTTP clients, one per silo, at the end of the run.</summary>
internal sealed class CreatorClients(IReadOnlyList<HttpClient> clients) : IDisposable
{
    public void Dispose()
    {
        foreach (var client in clients)
            client.Dispose();
    }
}
