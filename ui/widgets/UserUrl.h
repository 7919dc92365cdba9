#pragma once

#include <QString>
#include <QUrl>

namespace portico::ui {

// A URL typed into a form. "127.0.0.1:9000" and "localhost:9100/jwks" are what people type for a
// local service, and QUrl reads them as no URL at all (the text would vanish from the field):
// text without "://" is taken as an http address. Anything else is kept as written, so that the
// workspace check can name what is wrong with it.
inline QUrl userUrl(const QString &typed)
{
    const QString text = typed.trimmed();
    if (text.isEmpty() || text.contains(QLatin1String("://")))
        return QUrl(text);
    return QUrl::fromUserInput(text);
}

} // namespace portico::ui
