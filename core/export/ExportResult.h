#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace portico::exporter {

// What an exporter produces. warnings hold one line per workspace feature the target cannot
// express (without the "warning: " prefix the CLI adds); the order is stable.
struct ExportResult
{
    QByteArray text;
    QStringList warnings;
    QString suggestedFileName; // e.g. kong.yaml, nginx.conf
    QString error; // set when the target is unknown; text is empty then
};

} // namespace portico::exporter
