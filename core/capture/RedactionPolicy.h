#pragma once

#include "core/capture/CaptureRecord.h"

#include <QByteArrayList>
#include <QStringList>

#include <string>

namespace portico::capture {

// What the capture never stores in clear: the values of some header fields and query parameters,
// replaced by "[redacted]" before a row is written. One policy per capture configuration (the
// gateway derives the lists from each config revision: redact_headers, Authorization and every
// api_key scheme's header and parameter); Proxy-Authorization, a proxy's own credentials, is on
// every policy. Immutable; the writer applies it to every row, whoever submitted it.
class RedactionPolicy
{
public:
    static constexpr QByteArrayView kMarker = "[redacted]";

    RedactionPolicy() : RedactionPolicy({}, {}) { }
    RedactionPolicy(const QStringList &headers, const QStringList &queryParameters);

    bool redactsHeader(QByteArrayView name) const;
    bool isEmpty() const { return m_headers.isEmpty() && m_query.isEmpty(); }
    // A head block ("\nName: value\n..."): `head` itself, or (only when one of its fields is on the
    // list) a copy in `scratch` with those values replaced.
    QByteArrayView head(QByteArrayView head, std::string &scratch) const;
    // `query` with the listed parameters' values replaced; false (and *out untouched) when none
    // was there.
    bool query(QByteArrayView query, QByteArray *out) const;
    // The record's Query and the query part of its Url.
    void apply(CaptureRecord &record) const;

private:
    QByteArrayList m_headers; // lower case
    QStringList m_query;      // decoded names
};

} // namespace portico::capture
