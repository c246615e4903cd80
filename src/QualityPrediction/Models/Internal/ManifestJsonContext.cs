using System.Text.Json.Serialization;

namespace QualityPrediction.Models.Internal;

/// <summary>Compile-time JSON metadata for <see cref="ModelManifest"/> and the types it holds (used through <see cref="ModelManifest.SerializerOptions"/>).</summary>
[JsonSerializable(typeof(ModelManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
