using Granary.Errors;

namespace Granary.Bench;

/// <summary>The benchmark could not run or the system under test failed; the message says what happened.</summary>
internal sealed class BenchmarkException(string message) : Exception(message)
{
    /// <summary>"what: reason: message" for a Granary error (its kind names it), "what: Type: message" for anything else.</summary>
    public static BenchmarkException Failed(string what, Exception e) =>
        new(e is GranaryException g ? $"{what}: {g.Reason}: {g.Message}" : $"{what}: {e.GetType().Name}: {e.Message}");
}
