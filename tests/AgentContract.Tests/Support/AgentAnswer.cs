using System.Net;
using System.Text.Json;

namespace AgentContract.Tests.Support;

/// <summary>An agent's answer as the wire carried it: status, content type and raw body.</summary>
internal sealed record AgentAnswer(HttpStatusCode Status, string? ContentType, string Body)
{
    public int Code => (int)Status;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    /// <summary>The agent's <c>Error</c> model: a JSON string.</summary>
    public string ErrorText
    {
        get
        {
            var json = Json;
            Assert.That(json.ValueKind, Is.EqualTo(JsonValueKind.String), $"error body is not a JSON string: {Body}");
            return json.GetString()!;
        }
    }

    /// <summary>The agent refused with <paramref name="code"/> and exactly <paramref name="text"/> as its error.</summary>
    public void AssertError(int code, string text)
    {
        Assert.That(Code, Is.EqualTo(code), ToString());
        Assert.That(ErrorText, Is.EqualTo(text));
    }

    public override string ToString() => $"{Code} {ContentType} {Body}";
}
