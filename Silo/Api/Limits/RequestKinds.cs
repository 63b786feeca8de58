namespace Granary.Silo.Api.Limits;

/// <summary>How kube-apiserver's in-flight limits see a request: long-running ones are exempt, mutating ones have their own cap.</summary>
internal static class RequestKinds
{
    private static readonly HashSet<string> LongRunningSubresources = new(StringComparer.Ordinal) { "exec", "attach", "portforward", "proxy" };

    /// <summary>
    /// A watch, exec, attach, port-forward, proxy or followed log: kube-apiserver's long-running requests, which live as
    /// long as the client wants and so are not counted in flight (a cap on them would be a cap on open terminals).
    /// </summary>
    public static bool IsLongRunning(HttpRequest request)
    {
        if (IsTrue(request.Query["watch"]))
            return true;
        var segments = (request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        // Past /api/v1 or /apis/GROUP/VERSION: [watch/]…, [namespaces/NS/]RESOURCE/NAME/SUBRESOURCE/…
        var rest = segments switch
        {
            ["api", _, .. var r] => r,
            ["apis", _, _, .. var r] => r,
            _ => [],
        };
        if (rest is ["watch", ..])
            return true;
        if (rest is ["namespaces", _, _, ..])
            rest = rest[2..];
        var subresource = rest.Length >= 3 ? rest[2] : null;
        return subresource is not null && LongRunningSubresources.Contains(subresource)
            || subresource == "log" && IsTrue(request.Query["follow"]);
    }

    public static bool IsMutating(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) => value.ToString() is "true" or "1" or "True";
}
