// Save never writes a workspace with problems without asking: "Keep Editing" leaves the file as
// it was, "Save Anyway" writes what was typed (a target that is no URL stays as typed, never
// `url: ""`).

#include "ui/document/WorkspaceDocument.h"
#include "ui/main/Application.h"
#include "ui/main/MainActions.h"
#include "ui/main/MainWindow.h"
#include "ui/widgets/UserUrl.h"

#include <QAbstractButton>
#include <QAction>
#include <QFile>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace portico;
using namespace portico::ui;

namespace {

const QByteArray kWorkspace = R"(version: 1
gateway: {listen: 127.0.0.1:0}
admin: {enabled: false}
capture: {enabled: false}
upstreams:
  users: {targets: [{url: http://127.0.0.1:9001}]}
routes:
  - {name: users, match: {path: /users}, upstream: users}
)";

// Clicks the button labelled `choice` of the next message box; *text gets its text.
void answer(const QString &choice, QString *text)
{
    auto *timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, choice, text] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        timer->stop();
        timer->deleteLater();
        *text = box->text() + u'\n' + box->informativeText();
        for (QAbstractButton *b : box->buttons()) {
            if (b->text().remove(u'&') == choice)
                b->click();
        }
    });
    timer->start();
}

QByteArray read(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class SaveWithProblemsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void saveAsksBeforeWritingProblems()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("portico.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write(kWorkspace) == kWorkspace.size());
        f.close();
        QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        Application app(&settings);
        app.start(path);
        WorkspaceDocument *doc = app.document();
        QCOMPARE(doc->filePath(), path);
        doc->edit(QStringLiteral("Edit targets"), [](config::Workspace &ws) {
            ws.upstreams[0].targets[0].url = userUrl(QStringLiteral("not a url"));
        });
        QVERIFY(!doc->diagnostics().isEmpty());

        QString text;
        answer(QStringLiteral("Keep Editing"), &text);
        app.window()->actions()->save->trigger();
        QTRY_VERIFY(!text.isEmpty());
        QVERIFY2(text.contains(QStringLiteral("'not a url'")), qPrintable(text));
        QCOMPARE(read(path), kWorkspace); // untouched
        QVERIFY(doc->isModified());

        text.clear();
        answer(QStringLiteral("Save Anyway"), &text);
        app.window()->actions()->save->trigger();
        QTRY_VERIFY(!text.isEmpty());
        const QByteArray saved = read(path);
        QVERIFY2(saved.contains("not a url"), saved.constData());
        QVERIFY2(!saved.contains("url: \"\""), saved.constData());
        QVERIFY(!doc->isModified());

        // A workspace without problems saves without a question.
        doc->edit(QStringLiteral("Edit targets"), [](config::Workspace &ws) {
            ws.upstreams[0].targets[0].url = QUrl(QStringLiteral("http://127.0.0.1:9002"));
        });
        QVERIFY(doc->diagnostics().isEmpty());
        app.window()->actions()->save->trigger();
        QVERIFY(read(path).contains("http://127.0.0.1:9002"));
    }
};

QTEST_MAIN(SaveWithProblemsTest)
#include "tst_SaveWithProblems.moc"
