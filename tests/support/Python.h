#pragma once

// For tests that run python3-grpcio peers (tests/core/gateway/*_peer.py).

#include <QFileInfo>
#include <QString>

namespace portico::test {

// Debian's interpreter, where python3-grpcio lives (a python3 earlier in PATH may lack it).
inline QString python()
{
    return QFileInfo::exists(QStringLiteral("/usr/bin/python3")) ? QStringLiteral("/usr/bin/python3")
                                                                 : QStringLiteral("python3");
}

// A file of the source tree (ctest sets PORTICO_SOURCE_DIR).
inline QString sourceFile(const QString &relative)
{
    return qEnvironmentVariable("PORTICO_SOURCE_DIR") + QLatin1Char('/') + relative;
}

} // namespace portico::test
