#pragma once

#include <QSocketNotifier>

namespace portico::http {

// Disables a transport's read and write notifiers and deletes them. They may be mid-activation
// (this can run from inside one of their callbacks), so the deletion is deferred.
inline void retireNotifiers(QSocketNotifier *&read, QSocketNotifier *&write)
{
    for (QSocketNotifier *n : { read, write }) {
        if (n) {
            n->setEnabled(false);
            QObject::disconnect(n, nullptr, nullptr, nullptr);
            n->deleteLater();
        }
    }
    read = write = nullptr;
}

} // namespace portico::http
