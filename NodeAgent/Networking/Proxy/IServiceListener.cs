namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>A listening socket of the proxy and the endpoints it sends to.</summary>
internal interface IServiceListener
{
    ServiceBackends Backends { get; }

    void Start();

    /// <summary>Stops accepting; what was relayed goes on.</summary>
    void Close();
}
