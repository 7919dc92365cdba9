#pragma once

// The text forms of workspace values, shared by the loader, the writer and the GUI's editors.

#include "core/config/Workspace.h"

#include <QStringView>

#include <optional>

namespace portico::config {

// "250ms", "5s", "1m", "2h", "30d"; "0" is zero. Nothing else (no fractions, no sums).
std::optional<Duration> parseDuration(QStringView text, bool *tooLarge = nullptr);
// The largest size and duration a workspace may give (1 TiB, 100 years): larger values are
// refused, so that no limit overflows when the gateway adds to it.
inline constexpr qint64 kMaxSizeBytes = qint64(1) << 40;
inline constexpr qint64 kMaxDurationMs = qint64(100) * 365 * 86'400'000;
// "512", "64KiB", "10MiB", "1GiB"; KB/MB/GB and K/M/G are accepted as the same binary units.
std::optional<qint64> parseSize(QStringView text, bool *tooLarge = nullptr);
// "host:port" or "[v6]:port"; port 0 means "any free port" (tests use it).
std::optional<HostPort> parseHostPort(QStringView text);
// True for a standard HTTP method written in upper case.
bool isHttpMethod(const QString &method);
// An RFC 9110 token (header names).
bool isHttpToken(const QString &name);
// A value that may become a header field value: no control characters (CR, LF, NUL, ...) but tab.
bool isSafeHeaderValue(QStringView value);

// An IMF-fixdate (RFC 9110), e.g. "Wed, 30 Jun 2027 00:00:00 GMT", for midnight UTC of `date`.
QByteArray httpDate(const QDate &date);
// The response fields that announce a deprecated version, as the gateway sends them and the
// exporters configure them: Deprecation (RFC 9745: "@" and the Unix time of `since`, "@0"
// without one), Sunset (RFC 8594) when a sunset is set, Link rel="deprecation" (and
// rel="sunset" with a sunset) when a link is set.
QList<std::pair<QByteArray, QByteArray>> deprecationFields(const Deprecation &d);

int levenshtein(const QString &a, const QString &b);
// The candidate closest to `word` when it is a plausible typo of it, else empty.
QString closestMatch(const QString &word, const QStringList &candidates);

} // namespace portico::config
