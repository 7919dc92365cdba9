#pragma once

// Runs one of the built executables for the app tests (header-only: only tst_*.cpp files become
// test programs) and keeps its exit code and both outputs.

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace portico::test {

struct ProcessRun
{
    int exitCode = -1; // -1: did not start, crashed or timed out
    QByteArray out;
    QByteArray err;
};

inline ProcessRun runProcess(const QString &program, const QStringList &args,
    const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(), const QByteArray &stdinData = {},
    int timeoutMs = 60'000)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    ProcessRun r;
    if (!p.waitForStarted(10'000))
        return r;
    if (!stdinData.isEmpty())
        p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// portico-cli (PORTICO_CLI, set by CTest) with `args`.
inline ProcessRun runCli(const QStringList &args, const QByteArray &stdinData = {})
{
    return runProcess(qEnvironmentVariable("PORTICO_CLI"), args, QProcessEnvironment::systemEnvironment(), stdinData);
}

} // namespace portico::test
