using QualityPrediction.Models;
using QualityPrediction.Runtimes.Tests.TestSupport;

namespace QualityPrediction.Reliability.Tests.TestSupport;

/// <summary>A model registry folder (<c>ROOT/NAME/versions/VVVV/NAME.model.json</c> + <c>aliases.json</c>) whose champion alias a test moves.</summary>
internal sealed class Registry
{
    private readonly string _modelFolder;

    public Registry(string root, string name)
    {
        Root = root;
        Name = name;
        _modelFolder = Path.Combine(root, name);
        Directory.CreateDirectory(Path.Combine(_modelFolder, "versions"));
    }

    public string Root { get; }

    public string Name { get; }

    /// <summary>Gets the registry reference to configure: <c>ROOT/NAME@champion</c>.</summary>
    public string Reference => Path.Combine(Root, Name + "@champion");

    /// <summary>Adds a version folder holding a copy of <paramref name="model"/>, with the manifest's version set to <paramref name="version"/> and then changed by <paramref name="spoil"/>.</summary>
    public string AddVersion(TrainedModel model, string version, Action<string>? spoil = null)
    {
        var manifest = model.CopyTo(Path.Combine(_modelFolder, "versions", version));
        Fixtures.EditManifest(manifest, m => m.Version = version);
        spoil?.Invoke(manifest);
        return manifest;
    }

    /// <summary>Points the champion alias at <paramref name="version"/>, atomically (write a temporary file, rename it into place).</summary>
    public void Promote(string version)
    {
        var aliases = Path.Combine(_modelFolder, "aliases.json");
        var temp = aliases + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, $$"""{"champion":"{{version}}"}""");
        File.Move(temp, aliases, overwrite: true);
    }

    /// <summary>The artifact file of a format beside a manifest.</summary>
    public static string Artifact(string manifestPath, string format) =>
        Path.Combine(Path.GetDirectoryName(manifestPath)!, ModelManifest.Load(manifestPath).FindArtifact(format)!.File);
}
