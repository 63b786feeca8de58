namespace Granary.Hostile;

/// <summary>
/// One hostile HTTP request, sent as raw bytes so that nothing (Uri normalisation, header validation) cleans it
/// first. <paramref name="Path"/> is sent exactly as written, query included.
/// </summary>
/// <param name="Category">The row of the summary table (malformed-json, path-tricks, …).</param>
/// <param name="Description">What is wrong with it, to name it when it is answered wrongly.</param>
/// <param name="Headers">Extra header lines, sent as they are (name and value unchecked).</param>
/// <param name="MaySucceed">True for the few requests kube-apiserver itself accepts (e.g. a null optional field): a 2xx is then right too.</param>
/// <param name="StatusBodyOptional">True when the HTTP server refuses it before the API sees it (a 431 or a malformed header): kube-apiserver's Go server answers those in plain text too.</param>
public sealed record HostileRequest(
    string Category,
    string Description,
    string Method,
    string Path,
    string? ContentType,
    byte[]? Body,
    IReadOnlyList<(string Name, string Value)> Headers,
    bool MaySucceed = false,
    bool StatusBodyOptional = false);

/// <summary>What the server answered one request, and whether that answer is right.</summary>
public sealed record HostileOutcome(HostileRequest Request, int StatusCode, string? Problem)
{
    /// <summary>The column of the summary table: the status code, or "no answer".</summary>
    public string Column => StatusCode == 0 ? "none" : StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
