#pragma once

#include "core/capture/Exchange.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace portico::capture {

// What changed between two responses (typically an original and its replay): status, response
// headers (compared by lower-case name, repeated fields joined, framing ones skipped: see below), and the
// body, structurally when both bodies are JSON (one change per differing JSON path), as a whole otherwise.
struct ExchangeDiff
{
    struct Change
    {
        enum class Kind { Added, Removed, Changed };
        Kind kind = Kind::Changed;
        QString where; // "status", "header content-type", "body $.users[2].name", "body"
        QString before; // empty for Added
        QString after; // empty for Removed
        bool operator==(const Change &) const = default;
    };
    QList<Change> changes;

    bool isEmpty() const { return changes.isEmpty(); }
    // One line per change: "~ status: 200 -> 404", "+ header x-new: 1", "- body $.a: 3".
    QString toText() const;
};

// Response headers that describe the message or the connection rather than what the API answered
// are never compared: content-length and transfer-encoding (framing: the body comparison already
// covers it, and a capture may lack Content-Length or have been chunked where a replay is not),
// connection and keep-alive (per connection), date (always differs). Headers named in
// ignoreHeaders (case-insensitive; e.g. x-request-id) are skipped as well.
ExchangeDiff diffExchanges(const Exchange &a, const Exchange &b, const QStringList &ignoreHeaders = {});

} // namespace portico::capture
