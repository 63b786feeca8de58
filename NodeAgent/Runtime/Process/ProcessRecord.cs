using System.Text.Json;
using System.Text.Json.Serialization;

namespace Granary.NodeAgent.Runtime.Process;

/// <summary>
/// What the process driver knows of one container, persisted as JSON in the container's directory so a
/// restarted agent lists and adopts what still runs. The pid alone could be reused by then; the pid with the
/// process's start time (from /proc) cannot.
/// </summary>
internal sealed record ProcessRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Image { get; init; }
    /// <summary>Command followed by args: what runs.</summary>
    public required IReadOnlyList<string> Argv { get; init; }
    /// <summary>The whole environment the process gets (a minimal PATH under the spec's variables).</summary>
    public required IReadOnlyDictionary<string, string> Env { get; init; }
    public required string WorkingDir { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public ContainerRunState State { get; init; }
    public int? Pid { get; init; }
    public ulong? PidStartTicks { get; init; }
    public int? ExitCode { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? Error { get; init; }

    public ContainerInfo ToInfo() => new()
    {
        Id = Id,
        Name = Name,
        Image = Image,
        Labels = Labels,
        State = State,
        ExitCode = ExitCode,
        CreatedAt = CreatedAt,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
        Error = Error,
    };
}

/// <summary>Reads and writes <see cref="ProcessRecord"/> files; a write replaces the file whole, never half.</summary>
internal static class ProcessRecordFile
{
    public const string FileName = "container.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Save(string dir, ProcessRecord record)
    {
        var path = Path.Combine(dir, FileName);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(record, Json));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The record in <paramref name="dir"/>, or null when there is none (a directory from an interrupted create).</summary>
    public static ProcessRecord? Load(string dir)
    {
        var path = Path.Combine(dir, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<ProcessRecord>(File.ReadAllText(path), Json) : null;
    }
}
