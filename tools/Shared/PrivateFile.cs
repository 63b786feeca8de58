namespace Granary.Tools;

/// <summary>
/// Writes files that several silos on one machine may write at the same moment (they share ~/.granary): content goes
/// to a temporary file of this process first, created with its final mode (so a key is never readable by others, not
/// even for an instant), and then takes its name in one step. A reader sees the old file or the new one, never half.
/// Shared, as a linked source file, by the silo (kubeconfig, generated CA and tokens) and the CLI (granary certs).
/// </summary>
internal static class PrivateFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode WorldReadable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode OwnerOnlyDirectory = OwnerOnly | UnixFileMode.UserExecute;

    /// <summary>
    /// Creates <paramref name="path"/> with <paramref name="content"/> unless it exists, and returns what the file holds
    /// afterwards: ours, or what another process created first (it wins; both then use the same content).
    /// </summary>
    public static string CreateOnce(string path, string content, UnixFileMode mode)
    {
        if (File.Exists(path))
            return File.ReadAllText(path);
        var temp = WriteTemp(path, content, mode);
        try
        {
            // Without overwrite the name is taken atomically (link + unlink on Unix), or not at all.
            File.Move(temp, path, overwrite: false);
            return content;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
            return File.ReadAllText(path);
        }
    }

    /// <summary>Replaces <paramref name="path"/> (or creates it) with <paramref name="content"/> in one step.</summary>
    public static void Replace(string path, string content, UnixFileMode mode)
    {
        var temp = WriteTemp(path, content, mode);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Creates the folder (owner only) if it is missing; an existing folder keeps its mode.</summary>
    public static void EnsureDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(path);
        else
            Directory.CreateDirectory(path, OwnerOnlyDirectory);
    }

    private static string WriteTemp(string path, string content, UnixFileMode mode)
    {
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = mode;
        using (var writer = new StreamWriter(temp, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options))
            writer.Write(content);
        // The umask may have narrowed the create mode (e.g. 0644 under umask 077 is fine, but never wider): set it exactly.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, mode);
        return temp;
    }
}
