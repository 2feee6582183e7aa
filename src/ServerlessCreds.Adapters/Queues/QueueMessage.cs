namespace ServerlessCreds.Adapters.Queues;

/// <summary>
/// A received message, hidden until <paramref name="NextVisibleTime"/>; delete or update it with <paramref name="PopReceipt"/>.
/// <paramref name="Text"/> is null when the message is not base64-encoded UTF-8 (the Functions trigger poisons such
/// messages at once); <paramref name="EncodedText"/> is the message text as stored.
/// </summary>
public sealed record QueueMessage(
    string MessageId,
    string PopReceipt,
    long DequeueCount,
    DateTimeOffset InsertionTime,
    DateTimeOffset ExpirationTime,
    DateTimeOffset NextVisibleTime,
    string? Text,
    string EncodedText);

/// <summary>A message seen without dequeuing it: no pop receipt, visibility unchanged; <paramref name="Text"/> as in <see cref="QueueMessage"/>.</summary>
public sealed record PeekedMessage(
    string MessageId,
    long DequeueCount,
    DateTimeOffset InsertionTime,
    DateTimeOffset ExpirationTime,
    string? Text);

/// <summary>The service's acknowledgement of a sent message.</summary>
public sealed record SendReceipt(
    string MessageId,
    string PopReceipt,
    DateTimeOffset InsertionTime,
    DateTimeOffset ExpirationTime,
    DateTimeOffset NextVisibleTime);
