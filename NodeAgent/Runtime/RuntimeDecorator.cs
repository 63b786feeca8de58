namespace Granary.NodeAgent.Runtime;

/// <summary>
/// A runtime that wraps a driver and adds something around its calls (timing, for one) without changing them. The few
/// places that depend on which driver runs, or on what else the driver can do (its statistics), look through it with
/// <see cref="RuntimeDrivers.Driver"/>.
/// </summary>
public interface IRuntimeDecorator
{
    /// <summary>The runtime underneath.</summary>
    IContainerRuntime Inner { get; }
}

public static class RuntimeDrivers
{
    /// <summary>The driver under any decorators: the runtime itself when it wraps nothing.</summary>
    public static IContainerRuntime Driver(this IContainerRuntime runtime)
    {
        while (runtime is IRuntimeDecorator decorator)
            runtime = decorator.Inner;
        return runtime;
    }
}
