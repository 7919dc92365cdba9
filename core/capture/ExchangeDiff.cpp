#include "core/capture/ExchangeDiff.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>

#include <algorithm>
#include <iterator>

namespace portico::capture {

namespace {

using Change = ExchangeDiff::Change;

QString compact(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isString())
        return u'"' + v.toString() + u'"';
    if (v.isNull() || v.isUndefined())
        return QStringLiteral("null");
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return QString::number(v.toDouble(), 'g', 17);
}

void diffJson(const QString &path, const QJsonValue &a, const QJsonValue &b, QList<Change> *out)
{
    if (a.isObject() && b.isObject()) {
        const QJsonObject oa = a.toObject();
        const QJsonObject ob = b.toObject();
        for (auto it = oa.begin(); it != oa.end(); ++it) {
            const QString p = path + u'.' + it.key();
            if (!ob.contains(it.key()))
                out->append({ Change::Kind::Removed, QStringLiteral("body ") + p, compact(it.value()), {} });
            else
                diffJson(p, it.value(), ob.value(it.key()), out);
        }
        for (auto it = ob.begin(); it != ob.end(); ++it) {
            if (!oa.contains(it.key()))
                out->append({ Change::Kind::Added, QStringLiteral("body ") + path + u'.' + it.key(), {},
                    compact(it.value()) });
        }
        return;
    }
    if (a.isArray() && b.isArray()) {
        const QJsonArray aa = a.toArray();
        const QJsonArray ab = b.toArray();
        const qsizetype common = std::min(aa.size(), ab.size());
        for (qsizetype i = 0; i < common; ++i)
            diffJson(QStringLiteral("%1[%2]").arg(path).arg(i), aa.at(i), ab.at(i), out);
        for (qsizetype i = common; i < aa.size(); ++i)
            out->append({ Change::Kind::Removed, QStringLiteral("body %1[%2]").arg(path).arg(i),
                compact(aa.at(i)), {} });
        for (qsizetype i = common; i < ab.size(); ++i)
            out->append({ Change::Kind::Added, QStringLiteral("body %1[%2]").arg(path).arg(i), {},
                compact(ab.at(i)) });
        return;
    }
    if (a != b)
        out->append({ Change::Kind::Changed, QStringLiteral("body ") + path, compact(a), compact(b) });
}

// See diffExchanges() in the header for why these never count.
bool framingHeader(const QByteArray &lowerName)
{
    static const char *const names[]
        = { "content-length", "transfer-encoding", "connection", "keep-alive", "date" };
    return std::any_of(std::begin(names), std::end(names), [&](const char *n) { return lowerName == n; });
}

QMap<QByteArray, QByteArray> headerMap(const HeaderList &headers, const QStringList &ignore)
{
    QMap<QByteArray, QByteArray> map;
    for (const auto &h : headers) {
        const QByteArray name = h.first.toLower();
        if (framingHeader(name) || ignore.contains(QString::fromLatin1(name), Qt::CaseInsensitive))
            continue;
        QByteArray &v = map[name];
        v = v.isEmpty() ? h.second : v + ", " + h.second;
    }
    return map;
}

QString bodyText(const QByteArray &body)
{
    if (body.size() <= 200)
        return QString::fromUtf8(body);
    return QStringLiteral("%1 bytes").arg(body.size());
}

} // namespace

ExchangeDiff diffExchanges(const Exchange &a, const Exchange &b, const QStringList &ignoreHeaders)
{
    ExchangeDiff diff;
    if (a.status != b.status)
        diff.changes.append({ Change::Kind::Changed, QStringLiteral("status"), QString::number(a.status),
            QString::number(b.status) });

    const auto ha = headerMap(a.responseHeaders, ignoreHeaders);
    const auto hb = headerMap(b.responseHeaders, ignoreHeaders);
    for (auto it = ha.begin(); it != ha.end(); ++it) {
        const QString where = QStringLiteral("header ") + QString::fromLatin1(it.key());
        if (!hb.contains(it.key()))
            diff.changes.append({ Change::Kind::Removed, where, QString::fromUtf8(it.value()), {} });
        else if (hb.value(it.key()) != it.value())
            diff.changes.append({ Change::Kind::Changed, where, QString::fromUtf8(it.value()),
                QString::fromUtf8(hb.value(it.key())) });
    }
    for (auto it = hb.begin(); it != hb.end(); ++it) {
        if (!ha.contains(it.key()))
            diff.changes.append(
                { Change::Kind::Added, QStringLiteral("header ") + QString::fromLatin1(it.key()), {},
                    QString::fromUtf8(it.value()) });
    }

    if (a.responseBody != b.responseBody) {
        QJsonParseError ea, eb;
        const QJsonDocument ja = QJsonDocument::fromJson(a.responseBody, &ea);
        const QJsonDocument jb = QJsonDocument::fromJson(b.responseBody, &eb);
        if (ea.error == QJsonParseError::NoError && eb.error == QJsonParseError::NoError) {
            const QJsonValue va = ja.isObject() ? QJsonValue(ja.object()) : QJsonValue(ja.array());
            const QJsonValue vb = jb.isObject() ? QJsonValue(jb.object()) : QJsonValue(jb.array());
            diffJson(QStringLiteral("$"), va, vb, &diff.changes);
        } else if (a.responseBody.isEmpty()) {
            diff.changes.append(
                { Change::Kind::Added, QStringLiteral("body"), {}, bodyText(b.responseBody) });
        } else if (b.responseBody.isEmpty()) {
            diff.changes.append(
                { Change::Kind::Removed, QStringLiteral("body"), bodyText(a.responseBody), {} });
        } else {
            diff.changes.append({ Change::Kind::Changed, QStringLiteral("body"), bodyText(a.responseBody),
                bodyText(b.responseBody) });
        }
    }
    return diff;
}

QString ExchangeDiff::toText() const
{
    QString out;
    for (const Change &c : changes) {
        switch (c.kind) {
        case Change::Kind::Added:
            out += QStringLiteral("+ %1: %2\n").arg(c.where, c.after);
            break;
        case Change::Kind::Removed:
            out += QStringLiteral("- %1: %2\n").arg(c.where, c.before);
            break;
        case Change::Kind::Changed:
            out += QStringLiteral("~ %1: %2 -> %3\n").arg(c.where, c.before, c.after);
            break;
        }
    }
    return out;
}

} // namespace portico::capture
