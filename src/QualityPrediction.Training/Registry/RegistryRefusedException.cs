namespace QualityPrediction.Training.Registry;

/// <summary>A registry change that the rules refuse without <c>--force</c>: deleting, archiving or unsetting the champion, or promoting a version that is archived or deleted.</summary>
public sealed class RegistryRefusedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="RegistryRefusedException"/> class.</summary>
    public RegistryRefusedException()
        : this("The registry change was refused.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RegistryRefusedException"/> class.</summary>
    /// <param name="message">What was refused and what to do.</param>
    public RegistryRefusedException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RegistryRefusedException"/> class.</summary>
    /// <param name="message">What was refused and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public RegistryRefusedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="RegistryRefusedException"/> class.</summary>
    /// <param name="model">The model name.</param>
    /// <param name="version">The version, when there is one.</param>
    /// <param name="message">What was refused and what to do.</param>
    public RegistryRefusedException(string model, string? version, string message)
        : base(message)
    {
        Model = model;
        Version = version;
    }

    /// <summary>Gets the model name.</summary>
    public string? Model { get; }

    /// <summary>Gets the version, when there is one.</summary>
    public string? Version { get; }
}
