namespace Granary.NodeAgent.Pods;

/// <summary>
/// A container that cannot be created as specified (a missing ConfigMap, Secret or key, an unresolvable field, a
/// security setting the node refuses): it waits in CreateContainerConfigError with <see cref="Exception.Message"/>,
/// which is meant for the user and never holds a Secret's value.
/// </summary>
public class ContainerConfigException(string message) : Exception(message);
