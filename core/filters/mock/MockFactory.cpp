#include "core/filters/mock/MockFactory.h"

#include "core/filters/mock/MockFilter.h"
#include "core/http/HttpSyntax.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QMimeDatabase>

namespace portico::filters {

namespace {

constexpr qint64 kMaxBodyFileBytes = 64 * 1024 * 1024;

QByteArray guessContentType(const config::Mock &mock, const QString &filePath, const QByteArray &body)
{
    if (!mock.bodyFile.isEmpty()) {
        const QMimeType type = QMimeDatabase().mimeTypeForFileNameAndData(filePath, body);
        QByteArray name = type.name().toUtf8();
        if (name.startsWith("text/") || name == "application/json")
            name += "; charset=utf-8";
        return name;
    }
    QJsonParseError error;
    QJsonDocument::fromJson(body, &error);
    return error.error == QJsonParseError::NoError ? QByteArray("application/json")
                                                   : QByteArray("text/plain; charset=utf-8");
}

} // namespace

namespace mock {

FilterList MockFilters::make(const FilterBuildContext &context, QStringList &errors)
{
    const config::Workspace &workspace = context.workspace;
    const config::Route &route = context.route;
    if (!route.mock)
        return {};
    const config::Mock &mock = *route.mock;
    const auto fail = [&](const QString &message) {
        errors.append(QStringLiteral("route '%1': mock: %2").arg(route.name, message));
        return FilterList {};
    };

    if (mock.status < 200 || mock.status > 599)
        return fail(QStringLiteral("status %1 is not a final HTTP status (200-599)").arg(mock.status));
    if (!mock.body.isEmpty() && !mock.bodyFile.isEmpty())
        return fail(QStringLiteral("body and body_file are both set; use one"));
    if (mock.delay.count() < 0)
        return fail(QStringLiteral("delay is negative"));

    MockFilter::Response response;
    response.head.status = mock.status;
    response.head.reason = http::reasonPhrase(mock.status);
    response.delay = mock.delay;

    QString filePath;
    if (!mock.bodyFile.isEmpty()) {
        filePath = workspace.resolvePath(mock.bodyFile);
        QFile file(filePath);
        if (!file.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("body_file '%1' cannot be read (%2): %3")
                            .arg(mock.bodyFile, filePath, file.errorString()));
        if (file.size() > kMaxBodyFileBytes)
            return fail(QStringLiteral("body_file '%1' is larger than %2 bytes")
                            .arg(mock.bodyFile)
                            .arg(kMaxBodyFileBytes));
        response.body = file.readAll();
    } else {
        response.body = mock.body.toUtf8();
    }

    for (const auto &[name, value] : mock.headers) {
        const QByteArray n = name.trimmed().toLatin1();
        const QByteArray v = value.trimmed().toUtf8();
        if (!http::isToken(n))
            return fail(QStringLiteral("'%1' is not a valid header name").arg(name));
        if (!http::isFieldValue(v))
            return fail(QStringLiteral("the value of header '%1' contains a line break or NUL").arg(name));
        for (const char *framing : { "Content-Length", "Transfer-Encoding", "Connection" }) {
            if (http::HttpHeaders::nameEquals(n, framing))
                return fail(QStringLiteral("header '%1' is set by the gateway, not by a mock").arg(name));
        }
        response.head.headers.add(n, v);
    }
    if (!response.body.isEmpty() && !response.head.headers.contains("Content-Type"))
        response.head.headers.add("Content-Type", guessContentType(mock, filePath, response.body));

    return { std::make_shared<MockFilter>(std::move(response)) };
}

} // namespace mock

} // namespace portico::filters
