#pragma once

// curl as an HTTP client in tests (HTTP/2 with --http2-prior-knowledge or ALPN, HTTP/1.1), for
// what RawClient does not speak. The caller checks that curl is installed.

#include <QByteArray>
#include <QProcess>
#include <QStringList>

namespace portico::test {

struct CurlResult
{
    int exitCode = -1;
    QByteArray head; // the response head(s) as curl printed them (-D -)
    QByteArray body;
    QByteArray error;
};

// One request with curl. `args` go before the URL.
inline CurlResult curl(const QStringList &args, const QString &url)
{
    QProcess p;
    p.start(QStringLiteral("curl"),
        QStringList { "-sS", "-D", "-", "--max-time", "10" } + args + QStringList { url });
    CurlResult r;
    if (!p.waitForFinished(15000)) {
        p.kill();
        r.error = "curl did not finish";
        return r;
    }
    r.exitCode = p.exitCode();
    const QByteArray out = p.readAllStandardOutput();
    const qsizetype split = out.lastIndexOf("\r\n\r\n");
    r.head = split < 0 ? out : out.left(split + 2);
    r.body = split < 0 ? QByteArray() : out.mid(split + 4);
    r.error = p.readAllStandardError();
    return r;
}

} // namespace portico::test
