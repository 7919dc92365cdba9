#include "core/config/WorkspaceLoader.h"
#include "core/config/WorkspaceWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace portico::config;

class TestWorkspaceWriter : public QObject
{
    Q_OBJECT

private:
    static QString examplePath()
    {
        return qEnvironmentVariable("PORTICO_SHARED_DIR") + "/spec/portico.example.yaml";
    }
    static QString dump(const QList<Diagnostic> &errors)
    {
        QStringList lines;
        for (const Diagnostic &d : errors)
            lines.append(d.toString());
        return lines.join(u'\n');
    }

private Q_SLOTS:
    void exampleRoundTrip()
    {
        QProcessEnvironment env;
        const LoadResult first = loadWorkspaceFile(examplePath(), env);
        QVERIFY2(first.ok(), qPrintable(dump(first.errors)));
        const QByteArray yaml = writeWorkspaceYaml(*first.workspace);
        qDebug().noquote() << yaml;
        const LoadResult second = loadWorkspaceText(yaml, examplePath(), env);
        QVERIFY2(second.ok(), qPrintable(dump(second.errors) + "\n" + yaml));
        QVERIFY(*first.workspace == *second.workspace);
        QCOMPARE(second.workspace->envTemplates, first.workspace->envTemplates);
        qDebug().noquote() << QJsonDocument(workspaceToJson(*first.workspace)).toJson();
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceWriter)
#include "tst_workspacewriter.moc"
