#include "core/config/ValueFormats.h"
#include "core/config/WorkspaceLoader.h"

#include <QTemporaryDir>
#include <QTest>

using namespace portico::config;

class TestWorkspaceLoader : public QObject
{
    Q_OBJECT

private:
    static QString examplePath() { return qEnvironmentVariable("PORTICO_SHARED_DIR") + "/spec/portico.example.yaml"; }
    static QString dump(const QList<Diagnostic> &errors)
    {
        QStringList lines;
        for (const Diagnostic &d : errors)
            lines.append(d.toString());
        return lines.join(u'\n');
    }

private Q_SLOTS:
    void exampleFileLoads()
    {
        QProcessEnvironment env;
        const LoadResult r = loadWorkspaceFile(examplePath(), env);
        QVERIFY2(r.ok(), qPrintable(dump(r.errors)));
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceLoader)
#include "tst_workspaceloader.moc"
