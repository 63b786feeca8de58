using System.Reflection;

namespace Granary.Tests.Integration.Infrastructure;

/// <summary>Where the built programs are, for tests that run them as real processes.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string Configuration =>
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string SiloDll => Built("Silo", "Granary.Silo.dll");

    public static string CliDll => Built(Path.Combine("Client", "Granary.Cli"), "granary.dll");

    public static string AgentDll => Built("NodeAgent", "Granary.NodeAgent.dll");

    private static string Built(string project, string dll)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{dll} is not built at {path}; build the solution first (dotnet build Orleans.sln -c {Configuration})");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"Orleans.sln not found above {AppContext.BaseDirectory}");
    }
}
