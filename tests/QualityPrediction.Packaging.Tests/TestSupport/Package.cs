using System.IO.Compression;
using System.Xml.Linq;

namespace QualityPrediction.Packaging.Tests.TestSupport;

/// <summary>A packed .nupkg, read as a zip: its nuspec, its entries and their sizes.</summary>
internal sealed class Package
{
    private Package(string path, XElement metadata, IReadOnlyList<(string Name, long Length)> entries)
    {
        Path = path;
        Metadata = metadata;
        Entries = entries;
    }

    public string Path { get; }

    public string FileName => System.IO.Path.GetFileName(Path);

    public XElement Metadata { get; }

    public string Id => Value("id");

    public IReadOnlyList<(string Name, long Length)> Entries { get; }

    public long Length => new FileInfo(Path).Length;

    public string? SymbolPackage => File.Exists(System.IO.Path.ChangeExtension(Path, ".snupkg")) ? System.IO.Path.ChangeExtension(Path, ".snupkg") : null;

    public static Package Open(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        using var stream = nuspec.Open();
        var document = XDocument.Load(stream);
        var metadata = document.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        return new Package(path, metadata, zip.Entries.Select(e => (e.FullName, e.Length)).ToArray());
    }

    public string Value(string name) => Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";

    public XElement? Element(string name) => Metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name);

    public IEnumerable<(string Id, string Version)> Dependencies() =>
        Metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => ((string)e.Attribute("id")!, (string)e.Attribute("version")!));

    public string ReadText(string entry)
    {
        using var zip = ZipFile.OpenRead(Path);
        using var reader = new StreamReader(zip.GetEntry(entry)?.Open() ?? throw new InvalidOperationException($"{FileName} has no {entry}."));
        return reader.ReadToEnd();
    }

    public static byte[] ReadBytes(string zipPath, string entry)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        using var stream = zip.GetEntry(entry)?.Open() ?? throw new InvalidOperationException($"{zipPath} has no {entry}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static IReadOnlyList<string> EntryNames(string zipPath)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        return zip.Entries.Select(e => e.FullName).ToArray();
    }
}
