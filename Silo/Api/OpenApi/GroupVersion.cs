using Granary.Model;

namespace Granary.Silo.Api.OpenApi;

/// <summary>An API group and version as they appear in paths: the core group is <c>api/v1</c>, others <c>apis/{group}/{version}</c>.</summary>
internal sealed record GroupVersion(string Group, string Version)
{
    public static GroupVersion Of(ResourceKind kind) =>
        kind.ApiVersion.Split('/') is [var group, var version] ? new(group, version) : new("", kind.ApiVersion);

    public bool IsCore => Group.Length == 0;

    /// <summary>"api/v1" or "apis/apps/v1": the key of the OpenAPI root listing.</summary>
    public string Path => IsCore ? $"api/{Version}" : $"apis/{Group}/{Version}";

    /// <summary>The prefix of every resource URL in this group version.</summary>
    public string UrlPrefix => "/" + Path;

    /// <summary>The package part of kube's schema names: "core.v1", "apps.v1".</summary>
    public string SchemaPackage => $"{(IsCore ? "core" : Group.Split('.')[0])}.{Version}";

    /// <summary>The group as it appears in kube's operation ids: "CoreV1", "AppsV1".</summary>
    public string OperationPrefix => $"{Capitalize(IsCore ? "core" : Group.Split('.')[0])}{Capitalize(Version)}";

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
