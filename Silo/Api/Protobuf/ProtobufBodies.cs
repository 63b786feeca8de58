using System.Text.Json.Nodes;
using Granary.Errors;

namespace Granary.Silo.Api.Protobuf;

/// <summary>
/// Request bodies in <c>application/vnd.kubernetes.protobuf</c>, which kubectl's typed clients (its generators:
/// <c>create namespace|deployment|service …</c>, <c>expose</c>) always send: the envelope is checked against the kind the
/// path expects, the typed message decoded to JSON by the schema, and the JSON handed to the same path as a JSON body,
/// so validation, fieldValidation, dry runs and defaulting stay in one place. Field numbers the schema does not know
/// get the request's fieldValidation like unknown JSON fields.
/// </summary>
internal static class ProtobufBodies
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static readonly ProtoDecoder Decoder = new(ProtoSchema.Kubernetes);

    /// <summary>
    /// Older group versions whose message is field for field one the schema carries in a newer version: policy/v1beta1's
    /// Eviction (metadata 1, deleteOptions 2) is policy/v1's, so old clients' evictions decode too.
    /// </summary>
    private static readonly Dictionary<(string ApiVersion, string Kind), string> SameMessage = new()
    {
        [("policy/v1beta1", "Eviction")] = "policy/v1",
    };

    /// <summary>
    /// The body as the JSON object of <paramref name="kind"/> in <paramref name="apiVersion"/> (null: any version of the
    /// kind, as for DeleteOptions, which every group version carries). Malformed data and another kind are 400s.
    /// </summary>
    public static JsonObject Decode(HttpContext context, ReadOnlySpan<byte> body, string? apiVersion, string kind)
    {
        try
        {
            var envelope = ProtobufEnvelope.Read(body);
            if (envelope.ContentEncoding.Length > 0)
                throw new BadRequestException($"the protobuf body's contentEncoding \"{envelope.ContentEncoding}\" is not supported: send it unencoded");
            if (envelope.Kind != kind || apiVersion is not null && envelope.ApiVersion != apiVersion)
                throw new BadRequestException($"the API version in the data ({envelope.ApiVersion}) or its kind ({envelope.Kind}) does not match the expected {apiVersion ?? envelope.ApiVersion}, Kind={kind}");
            var message = ProtoSchema.Kubernetes.ForKind(envelope.ApiVersion, kind)
                ?? (SameMessage.TryGetValue((envelope.ApiVersion, kind), out var same) ? ProtoSchema.Kubernetes.ForKind(same, kind) : null)
                ?? throw new BadRequestException($"no protobuf definition of {kind} in {envelope.ApiVersion} is known to this server: send the body as application/json");
            var decoded = Decoder.Decode(envelope.Raw, message.Name);
            FieldValidation.Report(context, kind, envelope.ApiVersion, decoded.UnknownFields);
            var json = decoded.Json;
            var result = new JsonObject { ["kind"] = kind, ["apiVersion"] = envelope.ApiVersion };
            foreach (var (name, value) in json.ToList())
            {
                json.Remove(name);
                result[name] = value;
            }
            return result;
        }
        catch (ProtobufFormatException e)
        {
            throw new BadRequestException($"the request body is not a valid protobuf {kind}: {e.Message}");
        }
    }

    public static bool IsProtobuf(HttpRequest request) => ResourceWrites.MediaType(request) == MediaType;

    /// <summary>
    /// Answers are JSON; a client whose Accept allows only protobuf (no JSON, no wildcard) cannot read them: 406,
    /// as kube-apiserver answers a media type it cannot produce.
    /// </summary>
    public static bool AcceptsOnlyProtobuf(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        if (accept.Length == 0)
            return false;
        var types = accept.Split(',').Select(t => t.Split(';')[0].Trim().ToLowerInvariant()).Where(t => t.Length > 0).ToList();
        return types.Count > 0 && types.All(t => t == MediaType);
    }
}
