import Testing

/// The parent of every PromHTTP suite. Serialized: the server tests measure deadlines and timeouts, and on a
/// 2-core machine a neighbouring test that renders or gzips synchronously starves the cooperative pool that
/// their response tasks run on, which would make those measurements meaningless.
@Suite(.serialized) struct HTTPTests {}
