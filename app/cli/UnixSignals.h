#pragma once

#include <QObject>

class QSocketNotifier;

namespace portico::cli {

// Delivers SIGHUP, SIGTERM and SIGINT as Qt signals on the main thread (self-pipe: the handler
// only writes the signal number to a socket, which a QSocketNotifier reads).
class UnixSignals final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UnixSignals)

public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

Q_SIGNALS:
    void hangup();
    void terminate(int signal);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace portico::cli
