#pragma once

#include <QString>
#include <QUrl>

namespace portico::ui {

// A URL typed into a form. "127.0.0.1:9000" and "localhost:9100/jwks" are what people type for a
// local service, and QUrl reads them as no URL at all (the text would vanish from the field):
// text without "://" is taken as an http address. Anything else is kept as written, so that the
// workspace check can name what is wrong with it. Text that is no address at all ("not a url")
// is kept as written too, never turned into an empty URL: the field shows what was typed and the
// check's message quotes it.
inline QUrl userUrl(const QString &typed)
{
    const QString text = typed.trimmed();
    if (text.isEmpty())
        return QUrl();
    if (text.contains(QLatin1String("://"))) {
        const QUrl url(text);
        if (url.isValid() && !url.toString().isEmpty())
            return url;
    } else {
        const QUrl guess = QUrl::fromUserInput(text);
        if (guess.isValid() && !guess.host().isEmpty() && !text.contains(u' '))
            return guess;
    }
    QUrl kept(text, QUrl::TolerantMode);
    if (kept.toString().isEmpty() || !kept.isValid())
        kept = QUrl(QString::fromLatin1(QUrl::toPercentEncoding(text)), QUrl::TolerantMode);
    return kept;
}

} // namespace portico::ui
