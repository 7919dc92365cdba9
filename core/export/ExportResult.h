#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace portico::exporter {

// A file the main one refers to, written beside it (Envoy's descriptor set for gRPC transcoding).
struct ExportFile
{
    QString name; // a bare file name, no folder
    QByteArray content;
};

// What an exporter produces. warnings hold one line per workspace feature the target cannot
// express (without the "warning: " prefix the CLI adds); the order is stable.
struct ExportResult
{
    QByteArray text;
    QStringList warnings;
    QString suggestedFileName; // e.g. kong.yaml, nginx.conf
    QList<ExportFile> files; // to write in the same folder as the main file; usually none
    QString error; // set when the target is unknown; text is empty then
};

} // namespace portico::exporter
