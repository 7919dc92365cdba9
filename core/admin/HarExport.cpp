#include "core/admin/HarExport.h"

#include "core/capture/CaptureReader.h"
#include "core/capture/Har.h"

#include <QDir>
#include <QTemporaryFile>
#include <QThread>

namespace portico::admin {

namespace {

AdminReply failed(const QString &detail)
{
    return AdminReply::problem(500, "har-failed", QStringLiteral("HAR export failed"), detail);
}

} // namespace

AdminReply HarExport::run(const std::atomic<bool> &cancel, QThread *replyThread) const
{
    capture::CaptureReader reader;
    QString why;
    if (!reader.open(databasePath, &why))
        return AdminReply::problem(503, "capture-unavailable", QStringLiteral("Capture database unavailable"),
            QStringLiteral("%1: %2").arg(databasePath, why));
    // QDir::tempPath() is empty when TMPDIR names a folder that does not exist: refuse rather
    // than write to the root.
    const QString tempDir = QDir::tempPath();
    if (tempDir.isEmpty())
        return failed(QStringLiteral("no temporary folder to export into (TMPDIR is '%1')")
                          .arg(qEnvironmentVariable("TMPDIR")));
    auto file = std::make_shared<QTemporaryFile>(tempDir + QStringLiteral("/portico-XXXXXX.har"));
    if (!file->open())
        return failed(
            QStringLiteral("cannot create a temporary file in %1: %2").arg(tempDir, file->errorString()));

    QString error;
    const int written = capture::exportHar(reader, filter, file.get(), &error, &cancel, schema.get());
    if (written == capture::kExportCancelled)
        return AdminReply::problem(503, "shutting-down", QStringLiteral("Service Unavailable"),
            QStringLiteral("the admin API stopped during the HAR export"));
    if (written < 0 || !file->flush() || !file->seek(0))
        return failed(
            QStringLiteral("writing the temporary file in %1: %2").arg(tempDir, file->errorString()));
    file->moveToThread(replyThread);
    AdminReply reply = AdminReply::stream("application/json", std::move(file));
    reply.addHeader("Content-Disposition", "attachment; filename=\"portico.har\"");
    return reply;
}

} // namespace portico::admin
