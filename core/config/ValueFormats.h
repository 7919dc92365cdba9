#pragma once

// The text forms of workspace values, shared by the loader, the writer and the GUI's editors.

#include "core/config/Workspace.h"

#include <QStringView>

#include <optional>

namespace portico::config {

// "250ms", "5s", "1m", "2h", "30d"; "0" is zero. Nothing else (no fractions, no sums).
std::optional<Duration> parseDuration(QStringView text);
// "512", "64KiB", "10MiB", "1GiB"; KB/MB/GB and K/M/G are accepted as the same binary units.
std::optional<qint64> parseSize(QStringView text);
// "host:port" or "[v6]:port"; port 0 means "any free port" (tests use it).
std::optional<HostPort> parseHostPort(QStringView text);
// True for a standard HTTP method written in upper case.
bool isHttpMethod(const QString &method);
// An RFC 9110 token (header names).
bool isHttpToken(const QString &name);

int levenshtein(const QString &a, const QString &b);
// The candidate closest to `word` when it is a plausible typo of it, else empty.
QString closestMatch(const QString &word, const QStringList &candidates);

} // namespace portico::config
