using System.Text.Json;

namespace CiliumDocker.Infrastructure;

/// <summary>
/// A state made of parts that each belong to one key (an address, say), so that <see cref="JsonStateFile{T}"/> can
/// journal a change as the new parts of the keys it touched instead of the whole state.
/// </summary>
internal interface IKeyedState<TSelf>
    where TSelf : class
{
    /// <summary>Writes what belongs to <paramref name="key"/> as the serializer writes a state that holds only that
    /// (empty when nothing does): the journal's record of a change, written without building that state.</summary>
    void WritePart(Utf8JsonWriter writer, string key);

    /// <summary>What belongs to <paramref name="key"/> becomes what <paramref name="part"/> holds. A part it cannot
    /// take (one read from a damaged file) throws <see cref="ArgumentException"/> before anything changes.</summary>
    void ReplacePart(string key, TSelf part);
}
