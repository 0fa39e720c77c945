using System.Net;

namespace CiliumDocker.Labels;

/// <summary>A failed Docker Engine API call. The message names the Docker host so the operator knows what to check.</summary>
internal sealed class DockerApiException : Exception
{
    public DockerApiException(string message, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>Docker's HTTP status, or null when Docker was not reached or did not answer in time.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Worth trying again: Docker was unreachable, slow, or failed on its side. A 4xx will not change.</summary>
    public bool IsTransient => StatusCode is null or >= HttpStatusCode.InternalServerError or HttpStatusCode.TooManyRequests;
}
