using System.Net;
using System.Net.Sockets;
using Docker.DotNet;

namespace Granary.NodeAgent.Runtime.Docker;

/// <summary>Classifies what Docker.DotNet throws into <see cref="RuntimeErrorKind"/>, by type and status code, never by message.</summary>
internal static class DockerErrors
{
    public static RuntimeException Classify(Exception error, Uri endpoint, string operation)
    {
        switch (error)
        {
            case DockerImageNotFoundException:
                return new(RuntimeErrorKind.ImageNotFound, $"docker {operation}: {EngineMessage(error)}", error);
            case DockerApiException api:
                var kind = api.StatusCode switch
                {
                    HttpStatusCode.NotFound => RuntimeErrorKind.NotFound,
                    HttpStatusCode.Conflict => RuntimeErrorKind.Conflict,
                    _ => RuntimeErrorKind.Failed,
                };
                return new(kind, $"docker {operation}: {EngineMessage(error)}", error);
            case HttpRequestException or SocketException or IOException or ObjectDisposedException:
                return Unavailable(endpoint, operation, error);
            default:
                return new(RuntimeErrorKind.Failed, $"docker {operation}: {error.Message}", error);
        }
    }

    public static RuntimeException Unavailable(Uri endpoint, string operation, Exception error) =>
        new(RuntimeErrorKind.Unavailable,
            $"docker {operation}: the Docker engine at {endpoint} is not reachable ({Innermost(error).Message}); is dockerd running? start it or set --docker-host",
            error);

    public static RuntimeException Timeout(Uri endpoint, string operation, TimeSpan limit, Exception error) =>
        new(RuntimeErrorKind.Timeout,
            $"docker {operation}: the Docker engine at {endpoint} did not answer within {limit.TotalSeconds:0.#}s",
            error);

    /// <summary>The engine's own words: Docker answers errors as {"message": "..."}.</summary>
    public static string EngineMessage(Exception error)
    {
        if (error is not DockerApiException api || string.IsNullOrWhiteSpace(api.ResponseBody))
            return error.Message;
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(api.ResponseBody);
            if (json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && json.RootElement.TryGetProperty("message", out var message)
                && message.GetString() is { Length: > 0 } text)
                return text;
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON (a proxy's error page, say): the body itself is the best message there is.
        }
        return api.ResponseBody.Trim();
    }

    private static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null)
            error = error.InnerException;
        return error;
    }
}
