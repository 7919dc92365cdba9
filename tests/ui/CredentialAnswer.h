#pragma once

// Answers the next CredentialDialog a replay opens (modal, so the answer is scheduled before the
// call that opens it): `fill` types into it, then it is accepted, or rejected when `accept` is
// false. *seen counts the dialogs answered.

#include "ui/traffic/CredentialPrompt.h"

#include <QApplication>
#include <QTimer>

#include <functional>
#include <memory>

namespace portico::ui::test {

inline void answerCredentials(std::function<void(CredentialDialog &)> fill, bool accept, int *seen)
{
    auto *timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, fill = std::move(fill), accept, seen] {
        auto *dialog = qobject_cast<CredentialDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        timer->stop();
        timer->deleteLater();
        if (fill)
            fill(*dialog);
        ++*seen;
        if (accept)
            dialog->accept();
        else
            dialog->reject();
    });
    timer->start();
}

} // namespace portico::ui::test
