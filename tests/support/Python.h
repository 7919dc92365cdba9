#pragma once

// For tests that run python3-grpcio peers (tests/core/gateway/*_peer.py).

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <algorithm>

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

// Whether the interpreter above can import grpc (python3-grpcio).
inline bool hasGrpcio()
{
    QProcess probe;
    probe.start(python(), { QStringLiteral("-c"), QStringLiteral("import grpc") });
    return probe.waitForFinished(30000) && probe.exitStatus() == QProcess::NormalExit
        && probe.exitCode() == 0;
}

// Starts a peer script of the source tree (`relative`, e.g. "tests/core/gateway/grpc_peer.py")
// that prints "port N" once it listens, and returns N; 0 if it did not, with `error` saying why
// (what it printed instead, its stderr).
inline int startPeer(QProcess &peer, const QString &relative, const QStringList &args, QString *error)
{
    peer.start(python(), QStringList { sourceFile(relative) } + args);
    if (!peer.waitForStarted(10000)) {
        *error = peer.errorString();
        return 0;
    }
    const QDeadlineTimer deadline(20000);
    while (!peer.canReadLine() && peer.state() == QProcess::Running && !deadline.hasExpired())
        peer.waitForReadyRead(int(std::clamp<qint64>(deadline.remainingTime(), 1, 100)));
    const QByteArray line = peer.readLine().trimmed();
    if (!line.startsWith("port ")) {
        *error = QStringLiteral("%1 did not say its port: %2 %3")
                     .arg(relative, QString::fromUtf8(line), QString::fromUtf8(peer.readAllStandardError()));
        return 0;
    }
    return line.mid(5).toInt();
}

} // namespace portico::test
