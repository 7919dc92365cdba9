#pragma once

// Whether a cleartext HTTP server speaks HTTP/2 by prior knowledge (h2c, RFC 9113 section 3.3):
// sends the connection preface and an empty SETTINGS frame and reads the first frame header back.
// A server that speaks it answers with its own SETTINGS; an HTTP/1.1 server answers 400 or closes.
// Replays ask first because Qt's client, sent straight into h2c with an HTTP/1.1 server, waits
// for its transfer timeout instead of failing. The probe's connection is closed at once; no
// request goes over it.

#include <QString>

#include <chrono>
#include <functional>

class QObject;

namespace portico::capture {

// Calls `done` once, on `context`'s thread, from its event loop (never before this returns).
void probeH2c(QObject *context, const QString &host, quint16 port, std::chrono::milliseconds timeout,
    std::function<void(bool speaksH2c)> done);

} // namespace portico::capture
