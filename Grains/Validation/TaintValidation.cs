using System.Collections.Immutable;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>Node taints and the pod tolerations that match them.</summary>
public static class TaintValidation
{
    public static readonly ImmutableArray<string> Effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
    public static readonly ImmutableArray<string> Operators = ["Equal", "Exists"];

    public static IEnumerable<FieldError> Tolerations(ImmutableList<Toleration>? tolerations, string field)
    {
        foreach (var (toleration, i) in (tolerations ?? []).Select((t, i) => (t, i)))
        {
            var path = $"{field}[{i}]";
            var key = toleration.Key ?? "";
            var op = toleration.Operator ?? "";
            var value = toleration.Value ?? "";
            var effect = toleration.Effect ?? "";

            if (key.Length > 0)
                foreach (var error in SyntaxValidation.QualifiedName(key, $"{path}.key"))
                    yield return error;

            // An empty key with Exists matches every taint; with Equal it would match nothing.
            if (key.Length == 0 && op != "Exists")
                yield return FieldError.Invalid($"{path}.operator", op, "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");

            if (toleration.TolerationSeconds is not null && effect != "NoExecute")
                yield return FieldError.Invalid($"{path}.effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set");

            switch (op)
            {
                // An empty operator means Equal.
                case "Equal" or "":
                    var messages = SyntaxValidation.LabelValueMessages(value).ToList();
                    if (messages.Count > 0)
                        yield return FieldError.Invalid($"{path}.operator", value, string.Join(";", messages));
                    break;
                case "Exists":
                    // Kubernetes prints the whole toleration here; the value is what the user has to remove.
                    if (value.Length > 0)
                        yield return FieldError.Invalid($"{path}.operator", value, "value must be empty when `operator` is 'Exists'");
                    break;
                default:
                    yield return FieldError.Unsupported($"{path}.operator", op, Operators);
                    break;
            }

            // An empty effect matches every effect.
            if (effect.Length > 0)
                foreach (var error in Effect(effect, $"{path}.effect"))
                    yield return error;
        }
    }

    public static IEnumerable<FieldError> Taints(ImmutableList<Taint>? taints, string field)
    {
        var seen = new HashSet<(string Key, string Effect)>();
        foreach (var (taint, i) in (taints ?? []).Select((t, i) => (t, i)))
        {
            var path = $"{field}[{i}]";
            foreach (var error in SyntaxValidation.QualifiedName(taint.Key, $"{path}.key"))
                yield return error;
            var valueMessages = SyntaxValidation.LabelValueMessages(taint.Value ?? "").ToList();
            if (valueMessages.Count > 0)
                yield return FieldError.Invalid($"{path}.value", taint.Value, string.Join(";", valueMessages));
            if (taint.Effect.Length == 0)
                yield return FieldError.Required($"{path}.effect");
            else
                foreach (var error in Effect(taint.Effect, $"{path}.effect"))
                    yield return error;

            // The taint is printed as kubectl taint writes it (key=value:Effect).
            if (!seen.Add((taint.Key, taint.Effect)))
                yield return new FieldError(path, "Duplicate value", $"\"{Describe(taint)}\": taints must be unique by key and effect pair");
        }
    }

    private static IEnumerable<FieldError> Effect(string effect, string field)
    {
        if (!Effects.Contains(effect))
            yield return FieldError.Unsupported(field, effect, Effects);
    }

    private static string Describe(Taint taint) =>
        string.IsNullOrEmpty(taint.Value) ? $"{taint.Key}:{taint.Effect}" : $"{taint.Key}={taint.Value}:{taint.Effect}";
}
