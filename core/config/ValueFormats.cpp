#include "core/config/ValueFormats.h"

#include "core/http/HttpSyntax.h"

#include <QLocale>
#include <QRegularExpression>
#include <QTimeZone>
#include <QUrl>

#include <algorithm>
#include <limits>
#include <vector>

namespace portico::config {

namespace {

std::optional<qint64> parseNumber(QStringView digits, bool *tooLarge = nullptr)
{
    if (digits.size() > 15 && tooLarge)
        *tooLarge = true;
    if (digits.isEmpty() || digits.size() > 15)
        return std::nullopt;
    for (QChar c : digits) {
        if (!c.isDigit() || c.unicode() > 127)
            return std::nullopt;
    }
    return digits.toLongLong();
}

} // namespace

std::optional<Duration> parseDuration(QStringView text, bool *tooLarge)
{
    text = text.trimmed();
    qsizetype n = 0;
    while (n < text.size() && text[n].isDigit())
        ++n;
    const auto value = parseNumber(text.left(n), tooLarge);
    if (!value)
        return std::nullopt;
    const QStringView unit = text.mid(n);
    qint64 factor = 0;
    if (unit == u"ms")
        factor = 1;
    else if (unit == u"s")
        factor = 1000;
    else if (unit == u"m")
        factor = 60'000;
    else if (unit == u"h")
        factor = 3'600'000;
    else if (unit == u"d")
        factor = 86'400'000;
    else if (unit.isEmpty() && *value == 0)
        return Duration { 0 };
    else
        return std::nullopt;
    qint64 ms = 0;
    if (__builtin_mul_overflow(*value, factor, &ms) || ms > kMaxDurationMs) {
        if (tooLarge)
            *tooLarge = true;
        return std::nullopt;
    }
    return Duration { ms };
}

std::optional<qint64> parseSize(QStringView text, bool *tooLarge)
{
    text = text.trimmed();
    qsizetype n = 0;
    while (n < text.size() && text[n].isDigit())
        ++n;
    const auto value = parseNumber(text.left(n), tooLarge);
    if (!value)
        return std::nullopt;
    const QString unit = text.mid(n).trimmed().toString().toUpper();
    qint64 factor = 0;
    if (unit.isEmpty() || unit == u"B")
        factor = 1;
    else if (unit == u"K" || unit == u"KB" || unit == u"KIB")
        factor = 1024;
    else if (unit == u"M" || unit == u"MB" || unit == u"MIB")
        factor = 1024 * 1024;
    else if (unit == u"G" || unit == u"GB" || unit == u"GIB")
        factor = 1024 * 1024 * 1024;
    else
        return std::nullopt;
    qint64 bytes = 0;
    if (__builtin_mul_overflow(*value, factor, &bytes) || bytes > kMaxSizeBytes) {
        if (tooLarge)
            *tooLarge = true;
        return std::nullopt;
    }
    return bytes;
}

std::optional<HostPort> parseHostPort(QStringView text)
{
    text = text.trimmed();
    QStringView host;
    QStringView port;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0 || close + 1 >= text.size() || text[close + 1] != u':')
            return std::nullopt;
        host = text.mid(1, close - 1);
        port = text.mid(close + 2);
        if (!host.contains(u':'))
            return std::nullopt;
    } else {
        const qsizetype colon = text.lastIndexOf(u':');
        if (colon < 0)
            return std::nullopt;
        host = text.left(colon);
        port = text.mid(colon + 1);
        if (host.contains(u':')) // an IPv6 address needs brackets
            return std::nullopt;
    }
    static const QRegularExpression hostChars(QStringLiteral("^[A-Za-z0-9._:%-]+$"));
    if (host.isEmpty() || !hostChars.match(host).hasMatch())
        return std::nullopt;
    const auto p = parseNumber(port);
    if (!p || *p > 65535)
        return std::nullopt;
    return HostPort { host.toString(), static_cast<quint16>(*p) };
}

bool isHttpMethod(const QString &method)
{
    static const QStringList methods { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
        "CONNECT" };
    return methods.contains(method);
}

bool isHttpToken(const QString &name)
{
    // A character outside Latin-1 becomes '?', which is no token character either.
    return http::isToken(name.toLatin1());
}

bool isSafeHeaderValue(QStringView value)
{
    return std::none_of(value.begin(), value.end(), [](QChar c) {
        const char16_t u = c.unicode();
        return (u < 0x20 && u != u'\t') || u == 0x7f;
    });
}

QByteArray httpDate(const QDate &date)
{
    return QLocale::c().toString(date, u"ddd, dd MMM yyyy").toLatin1() + " 00:00:00 GMT";
}

QList<std::pair<QByteArray, QByteArray>> deprecationFields(const Deprecation &d)
{
    // RFC 9745: "@" and the Unix time of `since` (midnight UTC); without a date "@0".
    const qint64 since = d.since.isValid() ? d.since.startOfDay(QTimeZone::utc()).toSecsSinceEpoch() : 0;
    QList<std::pair<QByteArray, QByteArray>> out { { "Deprecation", '@' + QByteArray::number(since) } };
    if (d.sunset.isValid())
        out.append({ "Sunset", httpDate(d.sunset) });
    if (!d.link.trimmed().isEmpty()) {
        const QByteArray target = '<' + QUrl(d.link.trimmed()).toEncoded() + '>';
        out.append({ "Link", target + "; rel=\"deprecation\"" });
        if (d.sunset.isValid())
            out.append({ "Link", target + "; rel=\"sunset\"" });
    }
    return out;
}

int levenshtein(const QString &a, const QString &b)
{
    // Optimal string alignment: Levenshtein plus adjacent transpositions ("PSOT" is one edit from
    // "POST"), the most common typo. Case differences are free.
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
    for (qsizetype i = 0; i <= n; ++i)
        d[i][0] = int(i);
    for (qsizetype j = 0; j <= m; ++j)
        d[0][j] = int(j);
    for (qsizetype i = 1; i <= n; ++i) {
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = a[i - 1].toLower() == b[j - 1].toLower() ? 0 : 1;
            d[i][j] = std::min({ d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost });
            if (i > 1 && j > 1 && a[i - 1].toLower() == b[j - 2].toLower()
                && a[i - 2].toLower() == b[j - 1].toLower())
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

QString closestMatch(const QString &word, const QStringList &candidates)
{
    // A typo is at most one edit in short words and two in longer ones; further off is another word.
    const int allowed = word.size() <= 4 ? 1 : (word.size() <= 8 ? 2 : 3);
    QString best;
    int bestDistance = std::numeric_limits<int>::max();
    for (const QString &c : candidates) {
        const int d = levenshtein(word, c);
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    return bestDistance <= allowed ? best : QString();
}

} // namespace portico::config
