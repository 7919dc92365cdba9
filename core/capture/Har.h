#pragma once

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) export and import.
//
// Export streams: the log header, then one entry per exchange as it is read page by page from
// the reader, then the footer, so memory stays bounded however many exchanges match. Timings
// map to send (request received), connect, wait (to the first upstream byte) and receive (to
// the last byte); all are >= 0 and `time` is their sum. Portico's own fields (route, consumer,
// trace ids, exact microsecond timings, ...) travel in the custom `_portico` object so that an
// export re-imports without loss.
//
// Import accepts HAR files from browsers and other tools (missing optional fields, -1 sizes,
// base64 content) and submits one exchange per entry to a CaptureStore.

#include "core/capture/Exchange.h"
#include "core/capture/FilterExpression.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <atomic>

class QIODevice;

namespace portico::grpc {
class Schema;
}

namespace portico::capture {

class CaptureReader;
class CaptureStore;

class HarWriter
{
public:
    explicit HarWriter(QIODevice *out, const grpc::Schema *schema = nullptr);
    void begin();
    void add(const Exchange &e);
    // Closes the document; false if a write failed.
    bool end();
    int count() const { return m_count; }

private:
    QIODevice *m_out;
    const grpc::Schema *m_schema;
    int m_count = 0;
    bool m_ok = true;
};

// A gRPC call's postData and content also carry "_grpcMessages": its messages as JSON text
// (GrpcMessages.h), decoded when `schema` knows the method.
QJsonObject harEntry(const Exchange &e, const grpc::Schema *schema = nullptr);

// Writes every exchange matching `filter`, oldest first. Returns the number written, -1 when the
// output failed, or kExportCancelled when *cancel became true (checked between pages of 200).
inline constexpr int kExportCancelled = -2;
int exportHar(CaptureReader &reader, const FilterExpression &filter, QIODevice *out, QString *error = nullptr,
    const std::atomic<bool> *cancel = nullptr, const grpc::Schema *schema = nullptr);

// Parses a HAR document into exchanges (ids 0). Returns false with *error on a malformed file.
bool parseHar(const QByteArray &json, QList<Exchange> *out, QString *error = nullptr);

// Parses and submits; returns the number of exchanges imported or -1.
int importHar(const QByteArray &json, CaptureStore &store, QString *error = nullptr);

} // namespace portico::capture
