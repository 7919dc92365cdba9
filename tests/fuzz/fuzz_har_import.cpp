// HAR import (files from browsers and other tools) on arbitrary bytes; whatever imports must
// export again as a HAR entry, and that entry must import again.
#include "FuzzSupport.h"

#include "core/capture/Har.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace portico::capture;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    QList<Exchange> exchanges;
    QString error;
    if (!parseHar(portico::fuzz::bytes(data, size), &exchanges, &error)) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    QJsonArray entries;
    for (const Exchange &e : exchanges)
        entries.append(harEntry(e));
    const QJsonObject log { { QStringLiteral("log"),
        QJsonObject { { QStringLiteral("version"), QStringLiteral("1.2") },
            { QStringLiteral("creator"), QJsonObject { { QStringLiteral("name"), QStringLiteral("fuzz") } } },
            { QStringLiteral("entries"), entries } } } };
    QList<Exchange> again;
    const QByteArray exported = QJsonDocument(log).toJson(QJsonDocument::Compact);
    if (!parseHar(exported, &again, &error)) {
        std::fprintf(
            stderr, "exported HAR does not import: %s\n%s\n", qPrintable(error), exported.constData());
        std::abort();
    }
    FUZZ_CHECK(again.size() == exchanges.size());
    return 0;
}
