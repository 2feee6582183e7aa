namespace ServerlessCreds.Testing.Faults;

/// <summary>
/// One entry of <see cref="FaultProxy.Log"/>: what the client asked for, the status it got (null when the connection was dropped)
/// and whether the request reached the real component.
/// </summary>
public sealed record ProxiedExchange(string Method, string PathAndQuery, int? Status, bool Forwarded);
