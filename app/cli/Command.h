#pragma once

#include <QStringList>

namespace portico::cli {

// One portico-cli subcommand. run() gets the arguments after the command name and returns the
// process exit status. A command that needs an event loop creates what it needs itself; main()
// has already constructed the QCoreApplication.
struct Command
{
    const char *name;
    const char *synopsis; // one line for `portico-cli --help`
    int (*run)(const QStringList &args);
};

// Implemented in one file per command (CmdCheck.cpp, CmdServe.cpp, ...), listed in main.cpp.
int runCheck(const QStringList &args);
int runServe(const QStringList &args);
int runTraffic(const QStringList &args);
int runReplay(const QStringList &args);
int runExport(const QStringList &args);
int runImport(const QStringList &args);
int runGrpc(const QStringList &args);
int runCa(const QStringList &args);
int runProxy(const QStringList &args);

// `portico-cli help TOPIC` (HelpTopics.cpp): the text of a topic that is no command's, or nullptr.
const char *helpTopic(const QString &name);
QStringList helpTopicNames();

} // namespace portico::cli
